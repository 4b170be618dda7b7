import { randomUUID } from 'node:crypto';

import { buildEvent, JourneyRequestedPayloadSchema, JourneyRequestedV1, ownerTopics, SAMPLE_PAYLOADS } from '@closeloop/contracts';
import { TerminalError } from '@closeloop/messaging';
import { PATTERN_METADATA } from '@nestjs/microservices/constants';

import { JourneyEventsHandler } from './journey-events.handler';

/** The topics the handler's `@EventPattern` methods subscribe to, read from their metadata. */
const subscriptions = (): string[] =>
  Object.getOwnPropertyNames(JourneyEventsHandler.prototype).flatMap((key) => {
    const method: unknown = Object.getOwnPropertyDescriptor(JourneyEventsHandler.prototype, key)?.value;
    return typeof method === 'function' ? ((Reflect.getMetadata(PATTERN_METADATA, method) as string[] | undefined) ?? []) : [];
  });

const requested = (definitionVersion: number) => {
  const payload = JourneyRequestedPayloadSchema.parse({ ...(SAMPLE_PAYLOADS[JourneyRequestedV1.topic] as object), definitionVersion });
  return buildEvent(JourneyRequestedV1, { requestId: randomUUID(), journeyType: payload.type, producer: 'intake' }, payload, { eventId: randomUUID(), occurredAt: new Date() });
};

describe('the journey events of facilities-domain', () => {
  it('are what the journey definitions say the step owner facilities hears of', () => {
    expect(subscriptions().sort()).toEqual(ownerTopics('facilities').sort());
  });

  it('acknowledge a journey request of a shipped definition', async () => {
    await expect(new JourneyEventsHandler().onJourneyRequested({ topic: JourneyRequestedV1.topic, partition: 0, events: [requested(1)] })).resolves.toBeUndefined();
  });

  it('refuse a request of a definition nobody tracks, so it is dead-lettered', async () => {
    await expect(new JourneyEventsHandler().onJourneyRequested({ topic: JourneyRequestedV1.topic, partition: 0, events: [requested(999)] })).rejects.toThrow(TerminalError);
  });
});
