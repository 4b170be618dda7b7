import { classifyError, RetryableError, TerminalError } from './errors';

describe('classifyError', () => {
  it('keeps declared classes', () => {
    expect(classifyError(new TerminalError('INVALID', 'bad'))).toBe('terminal');
    expect(classifyError(new RetryableError('later'))).toBe('retryable');
  });

  it('treats connection, lock and serialization failures as retryable', () => {
    expect(classifyError(Object.assign(new Error('conn'), { code: 'ECONNREFUSED' }))).toBe('retryable');
    expect(classifyError(Object.assign(new Error('deadlock'), { code: '40P01' }))).toBe('retryable');
    expect(classifyError(Object.assign(new Error('admin shutdown'), { code: '57P01' }))).toBe('retryable');
    expect(classifyError(Object.assign(new Error('broker'), { name: 'KafkaJSConnectionError' }))).toBe('retryable');
    expect(classifyError(new Error('Connection terminated unexpectedly'))).toBe('retryable');
  });

  it('treats lost and released connections as retryable, also when a library wraps them', () => {
    expect(classifyError(new Error('Query runner already released. Cannot run queries anymore.'))).toBe('retryable');
    expect(classifyError(Object.assign(new Error('released'), { name: 'QueryRunnerAlreadyReleasedError' }))).toBe('retryable');
    expect(classifyError(new Error('Connection terminated'))).toBe('retryable');
    expect(classifyError(new Error('Client was closed and is not queryable'))).toBe('retryable');
    expect(classifyError(Object.assign(new Error('connection failure'), { code: '08006' }))).toBe('retryable');
    expect(classifyError(new Error('query failed', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) }))).toBe('retryable');
    expect(classifyError(Object.assign(new Error('QueryFailedError'), { driverError: Object.assign(new Error('shutdown'), { code: '57P01' }) }))).toBe('retryable');
    expect(classifyError(new AggregateError([Object.assign(new Error('a'), { code: 'ECONNREFUSED' })], 'connect failed'))).toBe('retryable');
  });

  it('treats what PostgreSQL can never store (data exceptions, program limits) as terminal', () => {
    expect(classifyError(Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' }))).toBe('terminal');
    expect(classifyError(Object.assign(new Error('date/time field value out of range'), { code: '22008' }))).toBe('terminal');
    expect(classifyError(Object.assign(new Error('stack depth limit exceeded'), { code: '54001' }))).toBe('terminal');
    // A declared retryable wins over what it wraps.
    expect(classifyError(new RetryableError('later', { cause: Object.assign(new Error('x'), { code: '22003' }) }))).toBe('retryable');
  });

  it('leaves everything else unknown (retried a bounded number of times, then dead-lettered)', () => {
    expect(classifyError(new TypeError('x is undefined'))).toBe('unknown');
    expect(classifyError(Object.assign(new Error('constraint'), { code: '23505' }))).toBe('unknown');
    expect(classifyError('a string')).toBe('unknown');
  });
});
