import { createHash } from 'node:crypto';

import type { KafkaMessage } from 'kafkajs';

import { boundedReason, DEAD_LETTER_LIMITS, deadLetterMessage, type DeadLetterSource, minimalDeadLetter } from './dead-letter';
import { messageBytes } from './message-size';

const message = (overrides: Partial<Pick<KafkaMessage, 'key' | 'value' | 'headers'>> = {}): KafkaMessage => ({
  key: overrides.key === undefined ? Buffer.from('key-1') : overrides.key,
  value: overrides.value === undefined ? Buffer.from('{"hello":"world"}') : overrides.value,
  timestamp: '1700000000000',
  attributes: 0,
  offset: '42',
  headers: overrides.headers ?? { traceparent: Buffer.from('00-abc-def-01') },
});

const source = (overrides: Partial<DeadLetterSource> = {}): DeadLetterSource => ({
  topic: 'a.b.c.v1',
  partition: 2,
  groupId: 'closeloop.test',
  message: message(),
  reason: 'value is not JSON',
  failedAt: '2025-01-01T00:00:00.000Z',
  ...overrides,
});

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const text = (value: unknown) => String(value);

describe('deadLetterMessage', () => {
  it('keeps the key, value and headers, and says where the message came from and why', () => {
    const dead = deadLetterMessage(source());
    expect(dead.key?.toString()).toBe('key-1');
    expect(dead.value?.toString()).toBe('{"hello":"world"}');
    expect(dead.headers).toEqual({
      traceparent: '00-abc-def-01',
      'dlq-reason': 'value is not JSON',
      'dlq-source-topic': 'a.b.c.v1',
      'dlq-source-partition': '2',
      'dlq-source-offset': '42',
      'dlq-consumer-group': 'closeloop.test',
      'dlq-failed-at': '2025-01-01T00:00:00.000Z',
    });
  });

  it('bounds the reason to 1,000 characters with an ellipsis', () => {
    const dead = deadLetterMessage(source({ reason: `message key "${'k'.repeat(100_000)}" is not the requestId` }));
    const reason = text(dead.headers?.['dlq-reason']);
    expect(reason).toHaveLength(1000);
    expect(reason.endsWith('…')).toBe(true);
    expect(boundedReason('short')).toBe('short');
  });

  it("bounds the source's headers: each value clipped, at most so many, the rest counted as dropped; an earlier dead-lettering's are replaced", () => {
    const headers: Record<string, Buffer> = { huge: Buffer.alloc(100_000, 'h'), 'dlq-reason': Buffer.from('an old reason') };
    for (let i = 0; i < 100; i++) headers[`h${i}`] = Buffer.from('v');
    const dead = deadLetterMessage(source({ message: message({ headers }) }));
    expect(text(dead.headers?.['huge'])).toHaveLength(DEAD_LETTER_LIMITS.maxHeaderValueChars);
    const own = Object.keys(dead.headers ?? {}).filter((name) => !name.startsWith('dlq-'));
    expect(own).toHaveLength(DEAD_LETTER_LIMITS.maxHeaders);
    expect(dead.headers?.['dlq-headers-dropped']).toBe(String(101 - DEAD_LETTER_LIMITS.maxHeaders));
    expect(dead.headers?.['dlq-reason']).toBe('value is not JSON');
  });

  it('replaces a key longer than the limit by its SHA-256', () => {
    const key = Buffer.alloc(5000, 'k');
    const dead = deadLetterMessage(source({ message: message({ key }) }));
    expect(dead.key?.toString()).toBe(`sha256:${sha256(key)}`);
    expect(dead.headers?.['dlq-original-key-bytes']).toBe('5000');
  });

  it('cuts a value that would make the dead letter larger than the limit, keeping its size and SHA-256', () => {
    const value = Buffer.alloc(300_000, 'v');
    const limits = { ...DEAD_LETTER_LIMITS, maxMessageBytes: 100_000 };
    const dead = deadLetterMessage(source({ message: message({ value }) }), limits);
    expect(messageBytes(dead)).toBeLessThanOrEqual(100_000);
    expect((dead.value as Buffer).length).toBeGreaterThan(90_000);
    expect(dead.headers).toMatchObject({ 'dlq-value-truncated': 'true', 'dlq-original-value-bytes': '300000', 'dlq-original-value-sha256': sha256(value) });
    expect(deadLetterMessage(source({ message: message({ value: Buffer.alloc(50_000) }) }), limits).headers).not.toHaveProperty('dlq-value-truncated');
  });
});

describe('minimalDeadLetter', () => {
  it('carries the coordinates, the reason and the size and SHA-256 of the value, without the value', () => {
    const value = Buffer.from('x'.repeat(10_000));
    const dead = minimalDeadLetter(source({ message: message({ value }), reason: 'r'.repeat(5000) }), 'MESSAGE_TOO_LARGE: too large');
    expect(dead.value).toBeNull();
    expect(text(dead.headers?.['dlq-reason']).length).toBeLessThanOrEqual(500);
    expect(dead.headers).toMatchObject({
      'dlq-source-offset': '42',
      'dlq-value-omitted': 'the broker refused the dead letter: MESSAGE_TOO_LARGE: too large',
      'dlq-original-value-bytes': '10000',
      'dlq-original-value-sha256': sha256(value),
    });
    expect(dead.headers).not.toHaveProperty('traceparent');
  });
});
