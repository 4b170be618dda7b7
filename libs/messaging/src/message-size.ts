import type { IHeaders, Message } from 'kafkajs';

/**
 * Kafka refuses a record batch larger than the broker's `message.max.bytes` (1,048,588 by
 * default), and kafkajs sends a partition's messages of one request as one batch. Closeloop's
 * producers stay under this many bytes per request, which leaves room for the batch and record
 * framing this estimate leaves out.
 */
export const DEFAULT_MAX_REQUEST_BYTES = 900_000;

/** Per record: attributes, timestamp and offset deltas and length varints, generously. */
const RECORD_OVERHEAD = 40;
/** Per header: the two length varints. */
const HEADER_OVERHEAD = 10;

const bytesOf = (value: Buffer | string | null | undefined): number => (value == null ? 0 : typeof value === 'string' ? Buffer.byteLength(value) : value.length);

/** The bytes of a message's headers (names, values and their framing). */
export const headerBytes = (headers: IHeaders | undefined): number => {
  let total = 0;
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    for (const item of values) total += Buffer.byteLength(name) + bytesOf(item) + HEADER_OVERHEAD;
  }
  return total;
};

/** An upper estimate of what one message adds to a produce request. */
export const messageBytes = (message: Pick<Message, 'key' | 'value' | 'headers'>): number =>
  RECORD_OVERHEAD + bytesOf(message.key) + bytesOf(message.value) + headerBytes(message.headers);

/**
 * Splits items, in order, into runs whose sizes add up to at most `limit` bytes. An item larger
 * than the limit by itself is a run of its own (the caller decides what to do with it).
 */
export const chunkByBytes = <T>(items: readonly T[], sizeOf: (item: T) => number, limit: number): T[][] => {
  const chunks: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const item of items) {
    const bytes = sizeOf(item);
    if (current.length > 0 && size + bytes > limit) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(item);
    size += bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
};

/**
 * Kafka's answers that a record can never be written as it is (too large, malformed, a topic
 * name Kafka refuses): sending it again cannot help, unlike a lost broker or leader.
 */
const UNDELIVERABLE = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD', 'CORRUPT_MESSAGE', 'INVALID_TOPIC_EXCEPTION']);

/** The Kafka error type when Kafka refused a record for good, else undefined. */
export const undeliverableType = (error: unknown): string | undefined => {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    const type = (current as { type?: unknown }).type;
    if (typeof type === 'string' && UNDELIVERABLE.has(type)) return type;
    current = (current as { cause?: unknown; originalError?: unknown }).originalError ?? (current as { cause?: unknown }).cause;
  }
  return undefined;
};
