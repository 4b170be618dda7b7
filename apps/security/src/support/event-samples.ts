import {
  buildEvent,
  CompensationRequestedV1,
  contractForTopic,
  type EventEnvelope,
  JourneyRequestedV1,
  SAMPLE_PAYLOADS,
  SAMPLE_TIME,
  SERVICENOW_REQUEST_ITEMS_TOPIC,
  StepRetryRequestedV1,
  WORKDAY_WORKER_EVENTS_TOPIC,
} from '@closeloop/contracts';

/**
 * A valid payload for every event contract: the poison that is valid but for one thing (its key,
 * its headers) starts from these: the contracts' own samples (libs/contracts/src/samples.ts), with
 * journey requests for an employee no other test uses. A consumed topic without a sample fails the
 * poison test, naming the topic.
 */
const NOW = SAMPLE_TIME;
const REQUESTED = {
  ...(SAMPLE_PAYLOADS[JourneyRequestedV1.topic] as object),
  subject: { employeeId: 'E-POISON', email: 'poison@acme.test', displayName: 'Poison Sample' },
};

const PAYLOADS: Record<string, unknown> = {
  ...SAMPLE_PAYLOADS,
  [JourneyRequestedV1.topic]: REQUESTED,
  [StepRetryRequestedV1.topic]: { ...(SAMPLE_PAYLOADS[StepRetryRequestedV1.topic] as object), request: REQUESTED },
  [CompensationRequestedV1.topic]: { ...(SAMPLE_PAYLOADS[CompensationRequestedV1.topic] as object), request: REQUESTED },
};

/** A valid event of the topic's contract for journey `requestId`, or why there is none. */
export const validEventFor = (topic: string, requestId: string, eventId: string): { event: EventEnvelope } | { problem: string } => {
  const contract = contractForTopic(topic);
  if (!contract) return { problem: `no contract is known for topic ${topic}` };
  const payload = PAYLOADS[topic];
  if (payload === undefined) return { problem: `no valid sample payload for ${topic}: add one to libs/contracts/src/samples.ts` };
  const event = buildEvent(contract, { requestId, journeyType: 'new-hire', producer: contract.owner }, payload, { eventId, occurredAt: new Date(NOW) });
  const parsed = contract.schema.safeParse(event);
  if (!parsed.success) return { problem: `the sample payload for ${topic} no longer matches its contract (libs/contracts/src/samples.ts): ${parsed.error.message.slice(0, 500)}` };
  return { event };
};

/** Records of the upstream systems' topics (not Closeloop envelopes): valid as far as their schema goes. */
export const UPSTREAM_RECORDS: Record<string, unknown> = {
  [WORKDAY_WORKER_EVENTS_TOPIC]: {
    eventType: 'Worker_Hired',
    eventId: '0123456789abcdef0123456789abcdef',
    tenant: 'acme',
    effectiveDate: '2026-02-02',
    completedAt: '2026-01-20T09:15:00Z',
    worker: {
      workerId: 'W-POISON',
      workerType: 'Employee',
      name: { firstName: 'Poison', lastName: 'Sample' },
      email: 'poison.sample@acme.test',
      position: {
        positionId: 'P-000123',
        jobProfile: { id: 'JP-ENG-SWE', descriptor: 'Software Engineer' },
        supervisoryOrganization: { id: 'SUP-ENG', descriptor: 'Engineering' },
        location: { id: 'LOC-LON', descriptor: 'London' },
      },
    },
  },
  [SERVICENOW_REQUEST_ITEMS_TOPIC]: {
    sys_id: '0123456789abcdef0123456789abcdef',
    number: 'RITM0099999',
    request: { sys_id: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', number: 'REQ0099999' },
    cat_item: { sys_id: '04b7e94b4f7b4200086eeed18110c7fd', name: 'Laptop Replacement' },
    requested_for: { sys_id: '62826bf03710200044e0bfc8bcbe5df1', user_name: 'poison.sample', name: 'Poison Sample', email: 'poison.sample@acme.test', employee_number: 'W-POISON' },
    approval: 'approved',
    sys_updated_on: '2026-01-20 09:15:00',
    variables: { asset_tag: 'P1000123', replacement_reason: 'end_of_life', model: '' },
  },
};
