import { inputErrorOf } from './unexpected-errors.filter';

describe('inputErrorOf', () => {
  it("answers body-parser's client errors with their status and message", () => {
    const tooLarge = Object.assign(new Error('the request body is larger than the limit of 256 kB'), { status: 413, statusCode: 413, expose: true, type: 'entity.too.large' });
    expect(inputErrorOf(tooLarge)).toEqual({ status: 413, message: 'the request body is larger than the limit of 256 kB' });
    expect(inputErrorOf(Object.assign(new Error('unsupported charset "X"'), { status: 415, expose: true, type: 'charset.unsupported' }))).toEqual({ status: 415, message: 'unsupported charset "X"' });
  });

  it('does not take server faults for client errors', () => {
    expect(inputErrorOf(Object.assign(new Error('stream encoding should not be set'), { status: 500, expose: false, type: 'stream.encoding.set' }))).toBeUndefined();
    expect(inputErrorOf(Object.assign(new Error('internal'), { status: 404 }))).toBeUndefined(); // not exposed
    expect(inputErrorOf(new TypeError('x is undefined'))).toBeUndefined();
    expect(inputErrorOf(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBeUndefined();
    expect(inputErrorOf(Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' }))).toBeUndefined();
    expect(inputErrorOf('a string')).toBeUndefined();
    expect(inputErrorOf(null)).toBeUndefined();
  });

  it('answers PostgreSQL data exceptions and program limits with 400, also wrapped by TypeORM', () => {
    for (const code of ['22P02', '22021', '22008', '22003', '2200N', '22P05', '54001']) {
      expect(inputErrorOf(Object.assign(new Error(`pg says ${code}`), { code }))).toEqual({ status: 400, message: `the request holds a value the database cannot take (SQLSTATE ${code}: pg says ${code})` });
    }
    const wrapped = Object.assign(new Error('QueryFailedError'), { driverError: Object.assign(new Error('date/time field value out of range: "0000-01-01"'), { code: '22008' }) });
    expect(inputErrorOf(wrapped)?.status).toBe(400);
  });
});
