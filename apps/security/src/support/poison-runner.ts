import { deadLetterTopic } from '@closeloop/contracts';
import { waitForGroupToCatchUp } from '@closeloop/testing';

import { readDeadLetters, sendPoison, type SentPoison, sourceOf, topicEnds } from './dead-letters';
import { sendJson } from './http-client';
import { poisonFor } from './poison';
import type { SecurityContext } from './service-context';

export interface PoisonOutcome {
  readonly topics: number;
  /** Distinct kinds sent, and kind × topic pairs (one message each). */
  readonly kinds: number;
  readonly sent: number;
  readonly deadLettered: number;
  readonly failures: string[];
}

/** At least this many kinds of poison on every consumed topic. */
export const MIN_KINDS = 10;
/** A dead-letter reason longer than this is not bounded. */
export const MAX_REASON_CHARS = 2000;

/**
 * Every kind of poison on every topic the service consumes (`KafkaBatchServer.subscribedTopics()`):
 * each must reach `<topic>.dlq` from the service's group with a `dlq-reason` that is not empty,
 * at most 2,000 characters, and says what the generator expects; then the group's committed
 * offsets pass every message and `/health/live` and `/health/ready` answer 200.
 */
export const runPoison = async (ctx: SecurityContext): Promise<PoisonOutcome> => {
  const { svc, kafka } = ctx;
  const failures: string[] = [];
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await topicEnds(admin, svc.topics.map(deadLetterTopic));
    const sent: SentPoison[] = [];
    for (const topic of svc.topics) {
      const poison = poisonFor(topic);
      if (typeof poison === 'string') {
        failures.push(`${topic}: ${poison}`);
        continue;
      }
      if (poison.length < MIN_KINDS) failures.push(`${topic}: only ${poison.length} kinds of poison, fewer than ${MIN_KINDS}`);
      sent.push(...(await sendPoison(kafka, topic, poison)));
    }
    const found = await readDeadLetters(kafka, ends, sent, svc.groupId);
    let deadLettered = 0;
    for (const message of sent) {
      const what = `${message.kind} poison on ${sourceOf(message)}`;
      const letter = found.get(sourceOf(message));
      if (!letter) failures.push(`${what}: no dead letter from ${svc.groupId} on ${deadLetterTopic(message.topic)}`);
      else if (letter.reason.trim().length === 0) failures.push(`${what}: the dead letter has no dlq-reason`);
      else if (letter.reason.length > MAX_REASON_CHARS) failures.push(`${what}: dlq-reason is ${letter.reason.length} characters, over ${MAX_REASON_CHARS}`);
      else if (!message.reason.test(letter.reason)) failures.push(`${what}: dlq-reason ${JSON.stringify(letter.reason.slice(0, 300))} does not say ${message.reason}`);
      else deadLettered++;
    }
    await waitForGroupToCatchUp(admin, svc.groupId, svc.topics, 60000).catch((error: Error) => failures.push(`the consumer did not go on past the poison: ${error.message}`));
    for (const probe of ['/health/live', '/health/ready']) {
      const health = await sendJson(svc.url, 'GET', probe);
      if (health.status !== 200) failures.push(`${probe} after the poison: ${health.status} ${health.text.slice(0, 500)}`);
    }
    return { topics: svc.topics.length, kinds: new Set(sent.map((s) => s.kind)).size, sent: sent.length, deadLettered, failures };
  } finally {
    await admin.disconnect();
  }
};
