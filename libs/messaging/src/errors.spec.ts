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

  it('leaves everything else unknown (retried a bounded number of times, then dead-lettered)', () => {
    expect(classifyError(new TypeError('x is undefined'))).toBe('unknown');
    expect(classifyError(Object.assign(new Error('constraint'), { code: '23505' }))).toBe('unknown');
    expect(classifyError('a string')).toBe('unknown');
  });
});
