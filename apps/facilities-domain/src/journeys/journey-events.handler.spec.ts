import { BadgeCompensatedV1, BadgeGrantedV1, BadgeRevokedV1, definitionDocument, type EventEnvelope, JourneyRequestedV1, NEW_HIRE_V2, ownerTopics, startTopicsOf } from '@closeloop/contracts';
import { TerminalError } from '@closeloop/messaging';
import { compensationRequested, inMemoryPorts, retryRequested, sampleRequest, TEST_SUBJECT } from '@closeloop/participant/testing';
import { PATTERN_METADATA } from '@nestjs/microservices/constants';

import { InMemoryAccessControl } from '../access-control/access-control.connector.fake';
import { InMemoryBadgeStepRepository } from '../badge-steps/badge-step.repository.fake';
import { NEW_HIRE_BADGE } from '../issuance/issuance.domain';
import { IssuanceService } from '../issuance/issuance.service';
import { OFFBOARDING_BADGE } from '../offboarding/offboarding.domain';
import { OffboardingService } from '../offboarding/offboarding.service';
import { JourneyEventsHandler } from './journey-events.handler';

/** The topics the handler's `@EventPattern` methods subscribe to, read from their metadata. */
const subscriptions = (): string[] =>
  Object.getOwnPropertyNames(JourneyEventsHandler.prototype).flatMap((key) => {
    const method: unknown = Object.getOwnPropertyDescriptor(JourneyEventsHandler.prototype, key)?.value;
    return typeof method === 'function' ? ((Reflect.getMetadata(PATTERN_METADATA, method) as string[] | undefined) ?? []) : [];
  });

/** The handler with both badge steps on in-memory ports and an in-memory access control system. */
const setUp = () => {
  const ports = inMemoryPorts();
  const accessControl = new InMemoryAccessControl();
  const steps = ports.enlist(new InMemoryBadgeStepRepository());
  const handler = new JourneyEventsHandler(new IssuanceService(ports, steps, accessControl), new OffboardingService(ports, steps, accessControl));
  return { accessControl, handler, outbox: ports.outbox };
};

const batchOf = <E extends EventEnvelope>(topic: string, events: E[]) => ({ topic, partition: 0, events });
const requestBatch = (...events: EventEnvelope[]) => batchOf(JourneyRequestedV1.topic, events as JourneyRequestedV1[]);
const newHireV2 = () => sampleRequest('new-hire', { definitionVersion: 2, definition: definitionDocument(NEW_HIRE_V2) });

describe('the journey events of facilities-domain', () => {
  it('are what the journey definitions say the step owner facilities hears of', () => {
    expect(subscriptions().sort()).toEqual(ownerTopics('facilities').sort());
    expect(startTopicsOf('facilities')).toEqual([]);
  });

  it('give a new hire of version 2 a badge, and revoke a leaver’s badges', async () => {
    const { accessControl, handler, outbox } = setUp();
    accessControl.has('B-OLD', 'E-LEAVER', ['main-entrance']);
    const hire = newHireV2();
    const leaver = sampleRequest('offboarding', { subject: { ...TEST_SUBJECT, employeeId: 'E-LEAVER' } });
    await handler.onJourneyRequested(requestBatch(hire, leaver));
    expect(outbox.topics().sort()).toEqual([BadgeGrantedV1.topic, BadgeRevokedV1.topic]);
    expect(accessControl.badges.get('B-OLD')?.active).toBe(false);
  });

  it('leave a new hire of version 1 alone: that definition has no badge step', async () => {
    const { accessControl, handler, outbox } = setUp();
    const v1 = sampleRequest('new-hire');
    await handler.onJourneyRequested(requestBatch(v1));
    expect(accessControl.badges.size).toBe(0);
    expect(outbox.sent).toEqual([]);
  });

  it('leave the other journey types alone', async () => {
    const { accessControl, handler, outbox } = setUp();
    accessControl.has('B-1', TEST_SUBJECT.employeeId, ['main-entrance']);
    await handler.onJourneyRequested(requestBatch(sampleRequest('access-change'), sampleRequest('device-replacement'), sampleRequest('saas-licensing')));
    expect(accessControl.badges.get('B-1')?.active).toBe(true);
    expect(outbox.sent).toEqual([]);
  });

  it('hand each step its own retries and compensations, never another owner’s', async () => {
    const { accessControl, handler, outbox } = setUp();
    const hire = newHireV2();
    const leaver = sampleRequest('offboarding');
    await handler.onRetryRequested(batchOf('retry', [retryRequested(hire, { owner: 'identity', step: 'identity' }, 2), retryRequested(leaver, { owner: 'device', step: 'device-return' }, 2)]));
    await handler.onCompensationRequested(batchOf('compensation', [compensationRequested(hire, { owner: 'device', step: 'device' })]));
    expect(outbox.sent).toEqual([]);

    accessControl.has('B-1', TEST_SUBJECT.employeeId, ['main-entrance']);
    await handler.onRetryRequested(batchOf('retry', [retryRequested(hire, NEW_HIRE_BADGE, 2)]));
    expect(outbox.topics()).toEqual([BadgeGrantedV1.topic]);
    await handler.onCompensationRequested(batchOf('compensation', [compensationRequested(hire, NEW_HIRE_BADGE), compensationRequested(leaver, OFFBOARDING_BADGE)]));
    expect(outbox.topics()).toEqual([BadgeGrantedV1.topic, BadgeCompensatedV1.topic, BadgeCompensatedV1.topic]);
    expect(accessControl.badges.get('B-1')?.active).toBe(true);
  });

  it('refuse a request of a definition nobody tracks, so it is dead-lettered, and do nothing for its batch', async () => {
    const { accessControl, handler, outbox } = setUp();
    await expect(handler.onJourneyRequested(requestBatch(newHireV2(), sampleRequest('new-hire', { definitionVersion: 999 })))).rejects.toThrow(TerminalError);
    expect(accessControl.badges.size).toBe(0);
    expect(outbox.sent).toEqual([]);
  });
});
