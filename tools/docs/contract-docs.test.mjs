// node --test tools/docs/*.test.mjs (the docs stage of npm test): the generator of docs/events.md.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';

import { describePayload, describeType, render, topicOf } from './contract-docs.mjs';

const require = createRequire(import.meta.url);
const { z } = require('zod');

const contract = (topic, payload) => {
  const [owner, , , v] = topic.split('.');
  return { topic, eventType: topic.replace(/\.v\d+$/, ''), version: Number(v.slice(1)), owner, payload };
};

test('a topic may be given as its name or as an event contract', () => {
  assert.equal(topicOf('identity.account.verified.v1'), 'identity.account.verified.v1');
  assert.equal(topicOf({ topic: 'identity.account.verified.v1', owner: 'identity' }), 'identity.account.verified.v1');
});

test('field types come from the zod schema, optional fields are marked', () => {
  const payload = z.object({ id: z.uuid(), at: z.iso.datetime(), n: z.number().int(), tags: z.array(z.string()), kind: z.enum(['a', 'b']), note: z.string().optional() });
  assert.equal(describePayload(payload), '`id` uuid, `at` datetime, `n` integer, `tags` string[], `kind` "a" or "b", `note?` string');
  assert.equal(describeType(z.union([z.object({}), z.object({ x: z.string() })])), 'object');
});

test('a discriminated union lists the shared fields, then each option by its discriminator', () => {
  const payload = z.discriminatedUnion('type', [z.object({ type: z.literal('x'), id: z.string(), a: z.number() }), z.object({ type: z.literal('y'), id: z.string() })]);
  assert.equal(describePayload(payload), 'all: `type` (one of those below), `id` string; `type` "x": `a` number; `type` "y": nothing more');
});

test('steps and done-when may name topics or carry event contracts', () => {
  const verified = contract('identity.account.verified.v1', z.object({ accountId: z.string() }));
  const failed = contract('identity.account.failed.v1', z.object({ reason: z.string() }));
  const undone = contract('identity.account.compensated.v1', z.object({ undone: z.string() }));
  const step = { name: 'identity', owner: 'identity', after: [], deadlineMs: 15000, retry: { maxAttempts: 3, backoffMs: 500, maxBackoffMs: 5000, jitter: 0.2 }, escalateTo: 'iam-operations' };
  const asTopics = { type: 'new-hire', version: 1, steps: [{ ...step, completedBy: verified.topic, failedBy: failed.topic, compensatedBy: undone.topic }], doneWhen: [verified.topic] };
  const asContracts = { type: 'new-hire', version: 1, steps: [{ ...step, completedBy: verified, failedBy: failed, compensatedBy: undone }], doneWhen: [verified] };
  const events = [verified, failed, undone];
  const a = render({ EVENT_CONTRACTS: events, JOURNEY_DEFINITIONS: [asTopics] });
  assert.equal(render({ EVENT_CONTRACTS: events, JOURNEY_DEFINITIONS: [asContracts] }), a);
  assert.match(a, /\| identity \| identity \| – \| `identity\.account\.verified\.v1` \| `identity\.account\.failed\.v1` \| `identity\.account\.compensated\.v1` \| 15 s \| 3 attempts, backoff 500 ms doubling up to 5 s, 20% jitter \| iam-operations \|/);
  assert.match(a, /Done when: `identity\.account\.verified\.v1`\./);
});

test('missing exports are reported, not rendered as an empty page', () => {
  assert.throws(() => render({ EVENT_CONTRACTS: [], JOURNEY_DEFINITIONS: [] }), /exports no EVENT_CONTRACTS/);
});
