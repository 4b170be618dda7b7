import { randomUUID } from 'node:crypto';

import { AccountVerifiedV1, buildEvent } from '@closeloop/contracts';
import type { KafkaMessage } from 'kafkajs';

import { checkMessage, decodeEvent, headersProblem, MESSAGE_LIMITS, parseJsonValue } from './message-checks';

const event = () =>
  buildEvent(
    AccountVerifiedV1,
    { requestId: randomUUID(), journeyType: 'new-hire', producer: 'test' },
    { accountId: 'u-1', employeeId: 'E1', enabled: true, groups: [], verifiedAt: new Date().toISOString() },
    { eventId: randomUUID(), occurredAt: new Date() },
  );

const message = (value: Buffer | string | null, key: string | Buffer | null = 'k', headers: KafkaMessage['headers'] = {}): KafkaMessage => ({
  key: key === null ? null : Buffer.from(key),
  value: value === null ? null : Buffer.from(value),
  timestamp: '0',
  attributes: 0,
  offset: '0',
  headers,
});

const reasonOf = (result: object): string => (result as { reason?: string }).reason ?? '(accepted)';

describe('checkMessage', () => {
  it('refuses an empty value, one over the size limit, and bytes that are not UTF-8', () => {
    expect(reasonOf(checkMessage(message(null)))).toBe('empty message value');
    expect(reasonOf(checkMessage(message('')))).toBe('empty message value');
    expect(reasonOf(checkMessage(message('x'.repeat(MESSAGE_LIMITS.maxValueBytes + 1))))).toBe(`the value is ${MESSAGE_LIMITS.maxValueBytes + 1} bytes, over the limit of ${MESSAGE_LIMITS.maxValueBytes}`);
    expect(reasonOf(checkMessage(message(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))))).toBe('the value is not valid UTF-8');
    expect(checkMessage(message('{"ok":"é"}'))).toEqual({ text: '{"ok":"é"}' });
  });
});

describe('headersProblem', () => {
  it('refuses too many headers, too many bytes of them, and values that are not text', () => {
    const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`h${i}`, Buffer.from('v')]));
    expect(headersProblem(many)).toBe('the message has 65 headers, over the limit of 64');
    expect(headersProblem({ big: Buffer.alloc(20_000, 'a') })).toMatch(/^the headers are \d+ bytes, over the limit of 16384$/);
    expect(headersProblem({ bin: Buffer.from([0xc3, 0x28]) })).toBe('header "bin": the value is not valid UTF-8');
    expect(headersProblem({ nul: Buffer.from('a\u0000b') })).toMatch(/^header "nul": the value contains a NUL/);
    expect(headersProblem({ traceparent: Buffer.from('00-abc-01'), list: [Buffer.from('a'), Buffer.from('b')] })).toBeUndefined();
  });
});

describe('parseJsonValue', () => {
  it('refuses what is not JSON, strings PostgreSQL cannot store and deep nesting, naming where', () => {
    expect(reasonOf(parseJsonValue('{"a":'))).toMatch(/^value is not JSON: /);
    expect(reasonOf(parseJsonValue('{"payload":{"name":"a\\u0000b"}}'))).toMatch(/^value\.payload\.name: contains a NUL/);
    expect(reasonOf(parseJsonValue('{"p":"\\ud800"}'))).toMatch(/^value\.p: contains a lone UTF-16 surrogate/);
    expect(reasonOf(parseJsonValue(`${'['.repeat(40)}${']'.repeat(40)}`))).toMatch(/nests deeper than the limit of 32 levels$/);
    expect(parseJsonValue('{"a":[1,2]}')).toEqual({ json: { a: [1, 2] } });
  });
});

describe('decodeEvent', () => {
  it('takes an event of the contract keyed by its requestId', () => {
    const e = event();
    expect(decodeEvent(AccountVerifiedV1, message(JSON.stringify(e), e.requestId))).toEqual({ event: e });
  });

  it('refuses the wrong schema, a missing key, and a wrong key quoted at most 100 characters long', () => {
    const e = event();
    expect(reasonOf(decodeEvent(AccountVerifiedV1, message(JSON.stringify({ ...e, eventType: 'no.such.event' }), e.requestId)))).toMatch(/^does not match identity\.account\.verified\.v1: eventType/);
    expect(reasonOf(decodeEvent(AccountVerifiedV1, message('42', e.requestId)))).toMatch(/^does not match .*: \(root\)/);
    expect(reasonOf(decodeEvent(AccountVerifiedV1, message(JSON.stringify(e), null)))).toBe(`the message has no key; it must be the requestId ${e.requestId}`);
    const wrong = decodeEvent(AccountVerifiedV1, message(JSON.stringify(e), 'x'.repeat(10_000)));
    expect(reasonOf(wrong)).toBe(`message key "${'x'.repeat(99)}…" is not the requestId ${e.requestId}`);
  });
});
