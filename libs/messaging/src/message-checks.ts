import { describeIssues, type EventContract, type EventEnvelope } from '@closeloop/contracts';
import type { IHeaders, KafkaMessage } from 'kafkajs';

import { headerBytes } from './message-size';
import { clipText, describeJsonProblem, findJsonProblem, MAX_JSON_DEPTH, unsafeTextProblem } from './safe-json';

/** What a consumed message may be before anything reads it; past these it is dead-lettered. */
export interface MessageLimits {
  /** Events are small (a journey's whole history is a few kB); anything near the broker's limit is not one. */
  readonly maxValueBytes: number;
  readonly maxJsonDepth: number;
  readonly maxHeaders: number;
  readonly maxHeaderBytes: number;
}

export const MESSAGE_LIMITS: MessageLimits = { maxValueBytes: 512 * 1024, maxJsonDepth: MAX_JSON_DEPTH, maxHeaders: 64, maxHeaderBytes: 16 * 1024 };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 text, or undefined when the bytes are not valid UTF-8 (no silent U+FFFD). */
export const strictUtf8 = (bytes: Buffer): string | undefined => {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
};

const headerName = (name: string): string => JSON.stringify(clipText(name, 60));

/** Why a message's headers are refused: too many, too large, or not text. */
export const headersProblem = (headers: IHeaders | undefined, limits: MessageLimits = MESSAGE_LIMITS): string | undefined => {
  const entries = Object.entries(headers ?? {}).filter(([, value]) => value !== undefined);
  if (entries.length > limits.maxHeaders) return `the message has ${entries.length} headers, over the limit of ${limits.maxHeaders}`;
  const bytes = headerBytes(headers);
  if (bytes > limits.maxHeaderBytes) return `the headers are ${bytes} bytes, over the limit of ${limits.maxHeaderBytes}`;
  for (const [name, value] of entries) {
    const nameProblem = unsafeTextProblem(name);
    if (nameProblem) return `header ${headerName(name)}: its name ${nameProblem}`;
    for (const item of Array.isArray(value) ? value : [value]) {
      const text = typeof item === 'string' ? item : item === undefined ? '' : strictUtf8(item);
      if (text === undefined) return `header ${headerName(name)}: the value is not valid UTF-8`;
      const problem = unsafeTextProblem(text);
      if (problem) return `header ${headerName(name)}: the value ${problem}`;
    }
  }
  return undefined;
};

/**
 * The message's value as text, or why it is refused before anything parses it: no value, larger
 * than the limit, headers refused (see `headersProblem`), or bytes that are not UTF-8.
 */
export const checkMessage = (message: KafkaMessage, limits: MessageLimits = MESSAGE_LIMITS): { text: string } | { reason: string } => {
  const value = message.value;
  if (!value || value.length === 0) return { reason: 'empty message value' };
  if (value.length > limits.maxValueBytes) return { reason: `the value is ${value.length} bytes, over the limit of ${limits.maxValueBytes}` };
  const headers = headersProblem(message.headers, limits);
  if (headers) return { reason: headers };
  const text = strictUtf8(value);
  if (text === undefined) return { reason: 'the value is not valid UTF-8' };
  return { text };
};

/** The value parsed as JSON, or why not: not JSON, a string PostgreSQL cannot store, nested too deep. */
export const parseJsonValue = (text: string, limits: MessageLimits = MESSAGE_LIMITS): { json: unknown } | { reason: string } => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { reason: `value is not JSON: ${clipText(error instanceof Error ? error.message : String(error), 200)}` };
  }
  const problem = findJsonProblem(json, 'value', limits.maxJsonDepth);
  return problem ? { reason: describeJsonProblem(problem) } : { json };
};

/** How much of a key a reason quotes. */
const MAX_QUOTED_KEY = 100;

/**
 * A consumed message as an event of the topic's contract, or why not (the dead-letter reason):
 * the checks above, JSON, the contract's schema, and the key, which must be the `requestId`.
 */
export const decodeEvent = (contract: EventContract, message: KafkaMessage, limits: MessageLimits = MESSAGE_LIMITS): { event: EventEnvelope } | { reason: string } => {
  const checked = checkMessage(message, limits);
  if ('reason' in checked) return checked;
  const parsed = parseJsonValue(checked.text, limits);
  if ('reason' in parsed) return parsed;
  const result = contract.schema.safeParse(parsed.json);
  if (!result.success) return { reason: `does not match ${contract.topic}: ${describeIssues(result.error)}` };
  const requestId = result.data.requestId;
  if (message.key === null || message.key.length === 0) return { reason: `the message has no key; it must be the requestId ${requestId}` };
  const key = message.key.toString('utf8');
  if (key !== requestId) return { reason: `message key ${JSON.stringify(clipText(key, MAX_QUOTED_KEY))} is not the requestId ${requestId}` };
  return { event: result.data };
};
