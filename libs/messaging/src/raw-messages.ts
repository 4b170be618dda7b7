import type { KafkaMessage } from 'kafkajs';

import { checkMessage, MESSAGE_LIMITS, type MessageLimits } from './message-checks';
import { describeJsonProblem, findJsonProblem } from './safe-json';

/**
 * A message of a topic that carries another system's records rather than Closeloop envelopes
 * (an upstream HR or ITSM system's topic). Its handler parses and validates it itself; a
 * `TerminalError` the handler throws dead-letters the message with the error's message as the
 * reason, as for events.
 */
export interface RawMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  /** The value as UTF-8 text; a message without a value is dead-lettered before the handler. */
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The record's timestamp (ms since the epoch, as kafkajs gives it). */
  readonly timestamp: string;
}

/** What an `@EventPattern(topic, RAW_MESSAGES)` handler receives: the messages of one partition, in order. */
export interface RawMessageBatch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly RawMessage[];
}

/**
 * `@EventPattern(topic, RAW_MESSAGES)`: the topic's messages are not Closeloop envelopes (no
 * contract, any key). They reach the handler undecoded, with the batching, commit, retry and
 * dead-letter policy of events.
 */
export const RAW_MESSAGES: Readonly<Record<string, unknown>> = { rawMessages: true };

/** Whether a handler's `@EventPattern` extras ask for raw messages. */
export const takesRawMessages = (extras: Readonly<Record<string, unknown>> | undefined): boolean => extras?.['rawMessages'] === true;

/**
 * The raw message, or why it cannot be handed over: no value, or what `checkMessage` refuses
 * (too large, headers, not UTF-8); and a JSON record holding what no handler could store (a NUL
 * or a lone surrogate in a string) or nested too deep. Anything else the handler judges.
 */
export const toRawMessage = (
  topic: string,
  partition: number,
  message: KafkaMessage,
  headers: Readonly<Record<string, string>>,
  limits: MessageLimits = MESSAGE_LIMITS,
): { raw: RawMessage } | { reason: string } => {
  const checked = checkMessage(message, limits);
  if ('reason' in checked) return checked;
  let json: unknown;
  try {
    json = JSON.parse(checked.text);
  } catch {
    json = undefined; // not JSON: the handler's to judge
  }
  const problem = json === undefined ? undefined : findJsonProblem(json, 'value', limits.maxJsonDepth);
  if (problem) return { reason: describeJsonProblem(problem) };
  return {
    raw: {
      topic,
      partition,
      offset: message.offset,
      key: message.key?.toString('utf8') ?? null,
      value: checked.text,
      headers,
      timestamp: message.timestamp,
    },
  };
};
