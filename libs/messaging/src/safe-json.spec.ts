import { clipText, describeJsonProblem, findJsonProblem, unsafeTextProblem } from './safe-json';

const nested = (levels: number): unknown => {
  let value: unknown = 'leaf';
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
};

describe('unsafeTextProblem', () => {
  it('refuses a NUL character and lone surrogates, and takes any well-formed text', () => {
    expect(unsafeTextProblem('a\u0000b')).toMatch(/NUL/);
    expect(unsafeTextProblem('a\ud800b')).toMatch(/lone UTF-16 surrogate/);
    expect(unsafeTextProblem('\udc00')).toMatch(/lone UTF-16 surrogate/);
    expect(unsafeTextProblem('x\ud83d')).toMatch(/lone UTF-16 surrogate/);
    expect(unsafeTextProblem('emoji 😀, Ünïcödé, \u0001 control')).toBeUndefined();
  });
});

describe('findJsonProblem', () => {
  it('names the path of the first string PostgreSQL cannot store, values and keys alike', () => {
    expect(findJsonProblem({ a: ['ok', { b: 'x\u0000' }] }, 'body')).toEqual({ path: 'body.a[1].b', problem: expect.stringMatching(/NUL/) });
    expect(findJsonProblem({ ok: 1, ['bad\ud800key']: true }, 'body')?.path).toBe('body["bad\\ud800key"]'); // escaped, safe to log
    expect(findJsonProblem({ ['bad\ud800key']: true }, 'body')?.problem).toMatch(/^\(the key\) contains a lone/);
    expect(findJsonProblem({ 'with space': 'a\u0000' }, 'query')?.path).toBe('query["with space"]');
    expect(findJsonProblem('top\u0000', 'value')?.path).toBe('value');
  });

  it('reports the first problem in document order', () => {
    expect(findJsonProblem({ first: 'a\u0000', second: 'b\u0000' }, 'body')?.path).toBe('body.first');
    expect(findJsonProblem([{ x: 'ok' }, 'a\ud800', 'b\u0000'], 'body')?.path).toBe('body[1]');
  });

  it('refuses nesting past the limit, and inspects any depth without recursion', () => {
    expect(findJsonProblem(nested(31), 'body', 32)).toBeUndefined(); // 31 objects: within 32 levels
    expect(findJsonProblem(nested(32), 'body', 32)).toBeUndefined();
    expect(findJsonProblem(nested(33), 'body', 32)).toEqual({ path: expect.stringMatching(/^body(\.a){32}$/), problem: 'nests deeper than the limit of 32 levels' });
    expect(findJsonProblem(nested(200_000), 'body', 32)?.problem).toMatch(/deeper than the limit/);
    expect(findJsonProblem(JSON.parse('['.repeat(100) + ']'.repeat(100)), 'value', 32)?.path).toBe(`value${'[0]'.repeat(32)}`);
  });

  it('passes clean values, numbers, booleans and null', () => {
    expect(findJsonProblem({ a: [1, true, null, 'x', { b: 2.5 }] }, 'body')).toBeUndefined();
    expect(findJsonProblem(undefined, 'body')).toBeUndefined();
  });

  it('describes a problem as path: problem', () => {
    expect(describeJsonProblem({ path: 'body.x', problem: 'nests deeper than the limit of 32 levels' })).toBe('body.x: nests deeper than the limit of 32 levels');
  });
});

describe('clipText', () => {
  it('keeps short text and cuts long text to the limit with an ellipsis, never inside a surrogate pair', () => {
    expect(clipText('short', 10)).toBe('short');
    expect(clipText('x'.repeat(5000), 1000)).toHaveLength(1000);
    expect(clipText('x'.repeat(5000), 1000).endsWith('…')).toBe(true);
    const clipped = clipText(`ab${'😀'.repeat(10)}`, 4);
    expect(unsafeTextProblem(clipped)).toBeUndefined();
    expect(clipped).toBe('ab…');
  });
});
