import { randomUUID } from 'node:crypto';

import { contractForTopic } from '@closeloop/contracts';
import type { IHeaders } from 'kafkajs';

// eslint-disable-next-line @nx/enforce-module-boundaries -- the poison generator of libs/messaging's tests (test support, not part of the lib's API)
import { poisonMessages } from '../../../../libs/messaging/test/support/poison';
import { UPSTREAM_RECORDS, validEventFor } from './event-samples';

/** One poison message for a topic, and what its dead letter's `dlq-reason` must say. */
export interface Poison {
  readonly kind: string;
  readonly key: string | Buffer | null;
  readonly value: string | Buffer | null;
  readonly headers?: IHeaders;
  readonly reason: RegExp;
}

/** The value the consumer's limit (512 kB) refuses, under the broker's (1 MB): near 900 kB. */
const HUGE_VALUE_BYTES = 880_000;
const NESTING_LEVELS = 10_000;

/**
 * The poison of a topic of Closeloop events: libs/messaging's generator (every kind, each built
 * from a valid event of the topic with ids of its own), or why there is none (no sample).
 */
const eventPoison = (topic: string): Poison[] | string => {
  const sample = validEventFor(topic, randomUUID(), randomUUID());
  if ('problem' in sample) return sample.problem;
  return poisonMessages({ valid: sample.event, hugeValueBytes: HUGE_VALUE_BYTES, nestingLevels: NESTING_LEVELS });
};

/** The handler of an upstream topic judges the record itself: its refusal is a terminal error. */
const REFUSED = /^terminal error: ./;

/**
 * The poison of an upstream system's topic (records, not envelopes, any key): what the transport
 * refuses unread, and what the handler refuses as no record it can act on.
 */
const recordPoison = (topic: string): Poison[] | string => {
  const valid = UPSTREAM_RECORDS[topic] as Record<string, unknown> | undefined;
  if (!valid) return `no valid sample record for ${topic}: add one to apps/security/src/support/event-samples.ts`;
  const key = () => randomUUID();
  const text = JSON.stringify(valid);
  const at = text.indexOf('Poison');
  return [
    { kind: 'not-json', key: key(), value: text.slice(0, 40), reason: REFUSED },
    { kind: 'json-scalar', key: key(), value: '42', reason: REFUSED },
    { kind: 'json-null', key: key(), value: 'null', reason: REFUSED },
    { kind: 'json-array', key: key(), value: JSON.stringify([valid]), reason: REFUSED },
    { kind: 'wrong-schema', key: key(), value: JSON.stringify({ ...valid, worker: 'nobody', sys_id: 42, approval: 7 }), reason: REFUSED },
    { kind: 'unknown-record-type', key: key(), value: JSON.stringify({ ...valid, eventType: 'Worker_Exploded', cat_item: { sys_id: '04b7e94b4f7b4200086eeed18110c7fd', name: 'Nobody Knows This Item' } }), reason: REFUSED },
    { kind: 'missing-key-and-invalid', key: null, value: JSON.stringify({ nothing: true }), reason: REFUSED },
    { kind: 'empty-value', key: key(), value: null, reason: /^empty message value$/ },
    { kind: 'huge-value', key: key(), value: JSON.stringify({ ...valid, padding: 'x'.repeat(HUGE_VALUE_BYTES) }), reason: /^the value is \d+ bytes, over the limit of \d+$/ },
    { kind: 'invalid-utf8', key: key(), value: Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from(text.slice(at))]), reason: /^the value is not valid UTF-8$/ },
    { kind: 'nul-in-string', key: key(), value: text.replace('Poison', 'Poi\\u0000son'), reason: /contains a NUL character/ },
    { kind: 'lone-surrogate', key: key(), value: text.replace('Poison', 'Poi\\ud800son'), reason: /contains a lone UTF-16 surrogate/ },
    { kind: 'deeply-nested', key: key(), value: text.replace('"Poison', `${'{"a":'.repeat(NESTING_LEVELS)}0${'}'.repeat(NESTING_LEVELS)},"x":"Poison`), reason: /nests deeper than the limit of \d+ levels/ },
    { kind: 'huge-headers', key: key(), value: text, headers: { 'x-huge': 'h'.repeat(100_000) }, reason: /^the headers are \d+ bytes, over the limit of \d+$/ },
    { kind: 'many-headers', key: key(), value: text, headers: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`x-h${i}`, 'v'])), reason: /^the message has 200 headers, over the limit of \d+$/ },
    { kind: 'garbage-headers', key: key(), value: text, headers: { 'x-garbage': Buffer.from([0xff, 0x00, 0xfe]) }, reason: /^header "x-garbage": the value is not valid UTF-8$/ },
  ];
};

/** Every kind of poison for a consumed topic, or why the stage has none for it. */
export const poisonFor = (topic: string): Poison[] | string => (contractForTopic(topic) ? eventPoison(topic) : recordPoison(topic));
