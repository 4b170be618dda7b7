import { createHash } from 'node:crypto';

import type { IHeaders, KafkaMessage, Message, Producer } from 'kafkajs';

import { errorMessage } from './errors';
import { chunkByBytes, DEFAULT_MAX_REQUEST_BYTES, messageBytes, undeliverableType } from './message-size';
import { clipText } from './safe-json';

/**
 * Bounds of what a dead letter carries, so the broker always takes it: a reason of any length
 * (it may quote a key or a whole schema report) or a source message near the broker's limit must
 * not make the dead letter itself undeliverable, which would stop the consumer on that offset.
 */
export interface DeadLetterLimits {
  readonly maxReasonChars: number;
  /** The whole dead letter (key, value, headers); beyond it the value is cut and its size and SHA-256 kept. */
  readonly maxMessageBytes: number;
  /** A longer source key is replaced by `sha256:<hex>` of it. */
  readonly maxKeyBytes: number;
  /** Of the source message's headers: how many are copied, how long each value, how many bytes in all. */
  readonly maxHeaders: number;
  readonly maxHeaderValueChars: number;
  readonly maxHeaderBytes: number;
}

export const DEAD_LETTER_LIMITS: DeadLetterLimits = {
  maxReasonChars: 1000,
  maxMessageBytes: DEFAULT_MAX_REQUEST_BYTES,
  maxKeyBytes: 1024,
  maxHeaders: 32,
  maxHeaderValueChars: 1024,
  maxHeaderBytes: 16 * 1024,
};

export interface DeadLetterSource {
  readonly topic: string;
  readonly partition: number;
  readonly groupId: string;
  readonly message: KafkaMessage;
  readonly reason: string;
  readonly failedAt: string;
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

const textOf = (value: NonNullable<IHeaders[string]>): string => (Array.isArray(value) ? value.map(String).join(',') : value.toString());

/** The source message's own headers, bounded; `dlq-*` headers of an earlier dead-lettering are replaced by ours. */
const copiedHeaders = (headers: IHeaders | undefined, limits: DeadLetterLimits): { headers: Record<string, string>; dropped: number } => {
  const copied: Record<string, string> = {};
  let dropped = 0;
  let bytes = 0;
  let count = 0;
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined || name.startsWith('dlq-')) continue;
    const key = clipText(name, 200);
    const text = clipText(textOf(value), limits.maxHeaderValueChars);
    const size = Buffer.byteLength(key) + Buffer.byteLength(text);
    if (count >= limits.maxHeaders || bytes + size > limits.maxHeaderBytes) {
      dropped++;
      continue;
    }
    copied[key] = text;
    count++;
    bytes += size;
  }
  return { headers: copied, dropped };
};

/** The reason as a dead letter and a log line carry it: at most `maxReasonChars`, ending with … when cut. */
export const boundedReason = (reason: string, limits: DeadLetterLimits = DEAD_LETTER_LIMITS): string => clipText(reason, limits.maxReasonChars);

const identity = (source: DeadLetterSource, limits: DeadLetterLimits): Record<string, string> => ({
  'dlq-reason': boundedReason(source.reason, limits),
  'dlq-source-topic': source.topic,
  'dlq-source-partition': String(source.partition),
  'dlq-source-offset': source.message.offset,
  'dlq-consumer-group': source.groupId,
  'dlq-failed-at': source.failedAt,
});

const keyOf = (key: Buffer | null, limits: DeadLetterLimits): { key: Buffer | null; headers: Record<string, string> } =>
  key && key.length > limits.maxKeyBytes
    ? { key: Buffer.from(`sha256:${sha256(key)}`), headers: { 'dlq-key-replaced': 'the source key was too long; this key is its SHA-256', 'dlq-original-key-bytes': String(key.length) } }
    : { key, headers: {} };

/**
 * The dead letter of a message: its key and value, its own headers (bounded), and `dlq-reason`,
 * `dlq-source-topic`, `-partition`, `-offset`, `dlq-consumer-group`, `dlq-failed-at`. When it
 * would be larger than `maxMessageBytes`, the value is cut to fit and `dlq-value-truncated`,
 * `dlq-original-value-bytes` and `dlq-original-value-sha256` say so.
 */
export const deadLetterMessage = (source: DeadLetterSource, limits: DeadLetterLimits = DEAD_LETTER_LIMITS): Message => {
  const { headers: own, dropped } = copiedHeaders(source.message.headers, limits);
  const { key, headers: keyHeaders } = keyOf(source.message.key, limits);
  const headers: Record<string, string> = {
    ...own,
    ...identity(source, limits),
    ...keyHeaders,
    ...(dropped > 0 ? { 'dlq-headers-dropped': String(dropped) } : {}),
  };
  const value = source.message.value;
  const whole: Message = { key, value, headers };
  if (!value || messageBytes(whole) <= limits.maxMessageBytes) return whole;
  const cutHeaders = { ...headers, 'dlq-value-truncated': 'true', 'dlq-original-value-bytes': String(value.length), 'dlq-original-value-sha256': sha256(value) };
  const room = Math.max(0, limits.maxMessageBytes - messageBytes({ key, value: null, headers: cutHeaders }));
  return { key, value: value.subarray(0, room), headers: cutHeaders };
};

/**
 * The last resort when the broker refused even the bounded dead letter (its limit is lower than
 * ours): the source's coordinates, the reason, and the value's size and SHA-256, without the value.
 */
export const minimalDeadLetter = (source: DeadLetterSource, refusal: string, limits: DeadLetterLimits = DEAD_LETTER_LIMITS): Message => {
  const value = source.message.value;
  const { key, headers: keyHeaders } = keyOf(source.message.key, { ...limits, maxKeyBytes: Math.min(limits.maxKeyBytes, 256) });
  return {
    key,
    value: null,
    headers: {
      ...identity(source, { ...limits, maxReasonChars: Math.min(limits.maxReasonChars, 500) }),
      ...keyHeaders,
      'dlq-value-omitted': clipText(`the broker refused the dead letter: ${refusal}`, 300),
      ...(value ? { 'dlq-original-value-bytes': String(value.length), 'dlq-original-value-sha256': sha256(value) } : {}),
    },
  };
};

/** A dead letter on its way; `sent` once the broker took it, so a retry sends only the rest. */
export interface PendingDeadLetter {
  readonly source: DeadLetterSource;
  message: Message;
  sent: boolean;
}

/**
 * Sends the dead letters not sent yet, in order, in requests under `maxMessageBytes`. When the
 * broker refuses a request as too large or invalid, its dead letters go one at a time, and one
 * it still refuses goes as `minimalDeadLetter`. Any other failure is thrown (the caller retries).
 */
export const sendDeadLetters = async (producer: Producer, topic: string, pending: readonly PendingDeadLetter[], limits: DeadLetterLimits = DEAD_LETTER_LIMITS): Promise<void> => {
  const send = (messages: Message[]) => producer.send({ topic, acks: -1, messages });
  for (const chunk of chunkByBytes(pending.filter((p) => !p.sent), (p) => messageBytes(p.message), limits.maxMessageBytes)) {
    try {
      await send(chunk.map((p) => p.message));
      for (const p of chunk) p.sent = true;
      continue;
    } catch (error) {
      if (!undeliverableType(error)) throw error;
    }
    for (const p of chunk) {
      try {
        await send([p.message]);
      } catch (error) {
        const refusal = undeliverableType(error);
        if (!refusal) throw error;
        p.message = minimalDeadLetter(p.source, `${refusal}: ${errorMessage(error)}`, limits);
        await send([p.message]);
      }
      p.sent = true;
    }
  }
};
