import { z } from 'zod';

/** Journey types Closeloop knows. A journey keeps its type for its whole life. */
export const JourneyTypeSchema = z.enum(['new-hire', 'access-change', 'device-replacement', 'saas-licensing', 'offboarding']);
export type JourneyType = z.infer<typeof JourneyTypeSchema>;

/**
 * Fields every event carries. `requestId` is the journey's id: it is the Kafka message key,
 * so the events of one journey keep their order within a topic, and it is the correlation id.
 */
export const EnvelopeFieldsSchema = z.object({
  eventId: z.uuid(),
  eventType: z.string().min(1),
  version: z.number().int().positive(),
  requestId: z.uuid(),
  journeyType: JourneyTypeSchema,
  occurredAt: z.iso.datetime({ offset: true }),
  producer: z.string().min(1),
  causationId: z.uuid().optional(),
});
export type EnvelopeFields = z.infer<typeof EnvelopeFieldsSchema>;

export interface EventEnvelope<P = unknown> extends EnvelopeFields {
  payload: P;
}

/** One event contract: its topic, type, major version, and the schema of the whole envelope. */
export interface EventContract<T extends string = string, P extends z.ZodType = z.ZodType> {
  readonly topic: T;
  readonly eventType: string;
  readonly version: number;
  readonly owner: string;
  readonly payload: P;
  readonly schema: z.ZodType<EventEnvelope<z.infer<P>>>;
}

export type PayloadOf<C extends EventContract> = z.infer<C['payload']>;
export type EventOf<C extends EventContract> = EventEnvelope<PayloadOf<C>>;

/**
 * Declares an event contract. The topic follows `<owner>.<aggregate>.<event>.v<major>`; the
 * event type is the topic without its version suffix.
 */
export const defineEvent = <T extends string, P extends z.ZodType>(topic: T, payload: P): EventContract<T, P> => {
  const match = /^([a-z-]+)\.([a-z-]+)\.([a-z-]+)\.v(\d+)$/.exec(topic);
  if (!match) throw new Error(`topic "${topic}" does not follow <owner>.<aggregate>.<event>.v<major>`);
  const owner = match[1] as string;
  const version = Number(match[4]);
  const eventType = topic.replace(/\.v\d+$/, '');
  const schema = EnvelopeFieldsSchema.extend({
    eventType: z.literal(eventType),
    version: z.literal(version),
    payload,
  }) as unknown as z.ZodType<EventEnvelope<z.infer<P>>>;
  return { topic, eventType, version, owner, payload, schema };
};

/** The dead-letter topic of a topic. */
export const deadLetterTopic = (topic: string): string => `${topic}.dlq`;
