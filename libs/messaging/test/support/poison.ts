import { randomUUID } from 'node:crypto';

import type { EventEnvelope } from '@closeloop/contracts';
import type { IHeaders } from 'kafkajs';

/**
 * Poison messages for a topic of Closeloop events: every kind of message a consumer must
 * dead-letter with a reason and then go on. Each is built from a valid event of the topic (with
 * ids of its own), so the same generator serves every consumed topic; a security test sends them
 * all to a topic and expects one dead letter per message, each with a reason matching `reason`,
 * and the consumer group caught up after a valid event that follows.
 */
export type PoisonKind =
  | 'not-json'
  | 'json-scalar'
  | 'json-array'
  | 'wrong-schema'
  | 'unknown-event-type'
  | 'wrong-key'
  | 'huge-key'
  | 'missing-key'
  | 'empty-value'
  | 'huge-value'
  | 'invalid-utf8'
  | 'nul-in-string'
  | 'nul-in-payload'
  | 'lone-surrogate'
  | 'deeply-nested'
  | 'huge-headers'
  | 'many-headers'
  | 'garbage-headers'
  | 'handler-refuses';

export interface PoisonMessage {
  readonly kind: PoisonKind;
  readonly key: string | Buffer | null;
  readonly value: string | Buffer | null;
  readonly headers?: IHeaders;
  /** What the dead letter's `dlq-reason` says (with the consumer's default limits). */
  readonly reason: RegExp;
}

export interface PoisonOptions {
  /** A valid event of the topic; each poison message is a copy with a new eventId and requestId. */
  readonly valid: EventEnvelope;
  /** An event valid by the topic's schema that its handler refuses with a terminal error, when the caller has one. */
  readonly refusedByHandler?: EventEnvelope;
  /** Bytes of the huge value: over the consumer's limit (512 kB), under the broker's (1 MB). */
  readonly hugeValueBytes?: number;
  /** Levels of the deeply nested value: far over the consumer's limit (32). */
  readonly nestingLevels?: number;
}

const anyTopic = '[a-z0-9.-]+';

/** The JSON text of `value` with `levels` nested objects in place of the string `"__NESTED__"` (`JSON.stringify` itself would recurse). */
const withNesting = (value: unknown, levels: number): string =>
  JSON.stringify(value).replace('"__NESTED__"', `${'{"a":'.repeat(levels)}0${'}'.repeat(levels)}`);

/** The poison messages of every kind, for a topic whose valid event is `options.valid`. */
export const poisonMessages = (options: PoisonOptions): PoisonMessage[] => {
  const fresh = (): EventEnvelope => ({ ...options.valid, eventId: randomUUID(), requestId: randomUUID() });
  const keyed = (event: EventEnvelope, overrides: Partial<Omit<PoisonMessage, 'kind' | 'reason'>> & Pick<PoisonMessage, 'kind' | 'reason'>): PoisonMessage => ({
    key: event.requestId,
    value: JSON.stringify(event),
    ...overrides,
  });
  const payload = (event: EventEnvelope): Record<string, unknown> => (typeof event.payload === 'object' && event.payload !== null ? (event.payload as Record<string, unknown>) : {});

  const messages: PoisonMessage[] = [];
  let e = fresh();
  messages.push(keyed(e, { kind: 'not-json', value: JSON.stringify(e).slice(0, 40), reason: /^value is not JSON: / }));
  e = fresh();
  messages.push(keyed(e, { kind: 'json-scalar', value: '42', reason: new RegExp(`^does not match ${anyTopic}: \\(root\\): `) }));
  e = fresh();
  messages.push(keyed(e, { kind: 'json-array', value: JSON.stringify([e]), reason: new RegExp(`^does not match ${anyTopic}: \\(root\\): `) }));
  e = fresh();
  messages.push(keyed(e, { kind: 'wrong-schema', value: JSON.stringify({ ...e, eventId: 'not-a-uuid', occurredAt: 'yesterday', payload: 'not an object' }), reason: new RegExp(`^does not match ${anyTopic}: eventId: `) }));
  e = fresh();
  messages.push(keyed(e, { kind: 'unknown-event-type', value: JSON.stringify({ ...e, eventType: 'nobody.knows.this' }), reason: new RegExp(`^does not match ${anyTopic}: eventType: `) }));
  e = fresh();
  messages.push(keyed(e, { kind: 'wrong-key', key: randomUUID(), reason: /^message key "[0-9a-f-]{36}" is not the requestId [0-9a-f-]{36}$/ }));
  e = fresh();
  messages.push(keyed(e, { kind: 'huge-key', key: `${e.requestId}${'k'.repeat(50_000)}`, reason: /^message key "[0-9a-f-]{36}k{63}…" is not the requestId [0-9a-f-]{36}$/ }));
  e = fresh();
  messages.push(keyed(e, { kind: 'missing-key', key: null, reason: /^the message has no key; it must be the requestId [0-9a-f-]{36}$/ }));
  e = fresh();
  messages.push(keyed(e, { kind: 'empty-value', value: null, reason: /^empty message value$/ }));
  e = fresh();
  messages.push(keyed(e, { kind: 'huge-value', value: JSON.stringify({ ...e, padding: 'x'.repeat(options.hugeValueBytes ?? 600_000) }), reason: /^the value is \d+ bytes, over the limit of \d+$/ }));
  e = fresh();
  const text = JSON.stringify({ ...e, producer: 'INVALID' });
  const at = text.indexOf('INVALID');
  messages.push(keyed(e, { kind: 'invalid-utf8', value: Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from(text.slice(at + 'INVALID'.length))]), reason: /^the value is not valid UTF-8$/ }));
  e = fresh();
  messages.push(keyed(e, { kind: 'nul-in-string', value: JSON.stringify({ ...e, producer: 'evil\u0000producer' }), reason: /^value\.producer: contains a NUL character/ }));
  e = fresh();
  messages.push(keyed(e, { kind: 'nul-in-payload', value: JSON.stringify({ ...e, payload: { ...payload(e), injected: 'x\u0000y' } }), reason: /^value\.payload\.injected: contains a NUL character/ }));
  e = fresh();
  messages.push(keyed(e, { kind: 'lone-surrogate', value: JSON.stringify({ ...e, producer: 'evil\ud800' }), reason: /^value\.producer: contains a lone UTF-16 surrogate/ }));
  e = fresh();
  messages.push(keyed(e, { kind: 'deeply-nested', value: withNesting({ ...e, payload: { ...payload(e), nested: '__NESTED__' } }, options.nestingLevels ?? 10_000), reason: /^value\.payload\.nested(\.a)+: nests deeper than the limit of \d+ levels$/ }));
  e = fresh();
  messages.push(keyed(e, { kind: 'huge-headers', headers: { 'x-huge': 'h'.repeat(100_000) }, reason: /^the headers are \d+ bytes, over the limit of \d+$/ }));
  e = fresh();
  messages.push(keyed(e, { kind: 'many-headers', headers: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`x-h${i}`, 'v'])), reason: /^the message has 200 headers, over the limit of \d+$/ }));
  e = fresh();
  messages.push(keyed(e, { kind: 'garbage-headers', headers: { 'x-garbage': Buffer.from([0xff, 0x00, 0xfe]) }, reason: /^header "x-garbage": the value is not valid UTF-8$/ }));
  if (options.refusedByHandler) messages.push(keyed(options.refusedByHandler, { kind: 'handler-refuses', reason: /^terminal error: / }));
  return messages;
};
