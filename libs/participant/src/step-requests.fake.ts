import { randomUUID } from 'node:crypto';

import {
  buildEvent,
  type CompensationOf,
  CompensationRequestedV1,
  type EventEnvelope,
  type JourneyRequestedPayload,
  JourneyRequestedV1,
  type JourneyType,
  type Requested,
  type RequestedOf,
  type RetryOf,
  StepRetryRequestedV1,
} from '@closeloop/contracts';

/** When the events of a test happen. */
export const TEST_TIME = new Date('2026-01-01T00:00:00.000Z');

type Evidence = Record<string, Record<string, unknown>>;

/** The subject of the sample requests. */
export const TEST_SUBJECT = { employeeId: 'E1', email: 'e1@acme.test', displayName: 'E One' };

const meta = { requestedBy: 'manager@acme.test', subject: TEST_SUBJECT, definitionVersion: 1, requestedAt: TEST_TIME.toISOString() };

/** A valid request of each journey type, about `TEST_SUBJECT`. */
const SAMPLES: { readonly [T in JourneyType]: RequestedOf<T> } = {
  'new-hire': { type: 'new-hire', ...meta, groups: ['staff'], apps: [{ app: 'asana', role: 'member', licence: 'standard' }], device: { model: 'laptop-14' } },
  'access-change': { type: 'access-change', ...meta, remove: { groups: ['sales'], apps: [] }, grant: { groups: ['engineering'], apps: [] } },
  'device-replacement': { type: 'device-replacement', ...meta, itsmRecordId: 'RITM0010001', retiredAssetTag: 'AT-OLD', reason: 'broken', device: { model: 'laptop-14' } },
  'saas-licensing': { type: 'saas-licensing', ...meta, app: 'asana', licenceType: 'business', seats: 2 },
  offboarding: { type: 'offboarding', ...meta, lastDay: '2026-01-31', itsmRecordId: 'RITM0020001' },
};

/** A journey request of a type, from its sample with what the test changes: a new journey each time. */
export const sampleRequest = <T extends JourneyType>(type: T, changes: Partial<RequestedOf<T>> = {}): Requested<T> =>
  journeyRequested({ ...SAMPLES[type], ...changes } as RequestedOf<T>) as Requested<T>;

/** A journey request as intake publishes it: a new journey unless `requestId` is given. */
export const journeyRequested = <P extends JourneyRequestedPayload>(payload: P, requestId: string = randomUUID()): EventEnvelope<P> =>
  buildEvent(JourneyRequestedV1, { requestId, journeyType: payload.type, producer: 'intake' }, payload, { eventId: randomUUID(), occurredAt: TEST_TIME }) as EventEnvelope<P>;

/** Assurance asks the step's owner for another attempt (`attempt`), the request and the evidence travelling with it. */
export const retryRequested = <T extends JourneyType>(of: Requested<T>, own: { readonly owner: string; readonly step: string }, attempt: number, evidence: Evidence = {}): RetryOf<T> =>
  buildEvent(
    StepRetryRequestedV1,
    { requestId: of.requestId, journeyType: of.journeyType, producer: 'assurance' },
    { step: own.step, owner: own.owner, attempt, reason: 'STEP_FAILED', request: of.payload, evidence },
    { eventId: randomUUID(), occurredAt: TEST_TIME },
  ) as RetryOf<T>;

/** Assurance asks the step's owner to undo it. */
export const compensationRequested = <T extends JourneyType>(of: Requested<T>, own: { readonly owner: string; readonly step: string }, evidence: Evidence = {}): CompensationOf<T> =>
  buildEvent(
    CompensationRequestedV1,
    { requestId: of.requestId, journeyType: of.journeyType, producer: 'assurance' },
    { step: own.step, owner: own.owner, attempt: 1, reason: 'cancelled', request: of.payload, evidence },
    { eventId: randomUUID(), occurredAt: TEST_TIME },
  ) as CompensationOf<T>;
