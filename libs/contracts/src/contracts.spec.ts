import { defineEvent, type EventContract } from './envelope';
import { buildEvent } from './event-factory';
import { AccountFailedV1 } from './identity/account-failed.v1';
import { JourneyRequestedV1 } from './intake/journey-requested.v1';
import { parseEvent } from './parse';
import { SAMPLE_PAYLOADS as SAMPLES, SAMPLE_TIME as NOW } from './samples';
import { EVENT_CONTRACTS } from './topics';

const sample = (contract: EventContract) =>
  buildEvent(contract, { requestId: '2f1e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b', journeyType: 'new-hire', producer: contract.owner }, SAMPLES[contract.topic], {
    eventId: '7e6d5c4b-3a29-4180-9f7e-6d5c4b3a2918',
    occurredAt: new Date(NOW),
  });

const REQUESTED = SAMPLES[JourneyRequestedV1.topic] as Extract<JourneyRequestedV1["payload"], { type: "new-hire" }>;
const failure = SAMPLES[AccountFailedV1.topic] as AccountFailedV1["payload"];

describe.each(EVENT_CONTRACTS.map((c) => [c.topic, c] as const))('%s', (_topic, contract) => {
  it('parses a valid sample, through JSON and back', () => {
    const event = sample(contract);
    const result = parseEvent(contract, JSON.parse(JSON.stringify(event)));
    expect(result).toEqual({ ok: true, value: event });
  });

  it('rejects an invalid one, naming the bad fields', () => {
    const event = { ...sample(contract), requestId: 'not-a-uuid', payload: {} };
    const result = parseEvent(contract, event);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatch(new RegExp(`^${contract.topic.replace(/\./g, '\\.')}: `));
    expect(result.error).toContain('requestId: Invalid UUID');
    expect(result.error).toMatch(/payload\.\w+/);
  });

  it('rejects an event of another type on its topic', () => {
    expect(parseEvent(contract, { ...sample(contract), eventType: 'something.else' }).ok).toBe(false);
  });
});

describe('topic naming', () => {
  it('derives owner, type and version from <owner>.<aggregate>.<event>.v<major>', () => {
    expect(JourneyRequestedV1).toMatchObject({ owner: 'intake', eventType: 'intake.journey.requested', version: 1 });
  });

  it('refuses a topic that does not follow the convention', () => {
    expect(() => defineEvent('JourneyRequested', JourneyRequestedV1.payload)).toThrow('does not follow');
  });

  it('has a sample for every contract', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(EVENT_CONTRACTS.map((c) => c.topic).sort());
  });
});

describe('intake.journey.requested.v1 requestedVia', () => {
  const via = { apiKeyId: '3f9c2a1b4d5e6f70', apiKeyName: 'workday-hr', createdBy: 'admin@acme.test' };

  it('carries the API key a journey was submitted with and who created it, through JSON and back', () => {
    const event = buildEvent(JourneyRequestedV1, { requestId: '2f1e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b', journeyType: 'new-hire', producer: 'intake' }, { ...REQUESTED, type: 'new-hire' as const, requestedVia: via }, {
      eventId: '7e6d5c4b-3a29-4180-9f7e-6d5c4b3a2918',
      occurredAt: new Date(NOW),
    });
    const result = parseEvent(JourneyRequestedV1, JSON.parse(JSON.stringify(event)));
    expect(result).toEqual({ ok: true, value: event });
    expect(result.ok && result.value.payload.requestedVia).toEqual(via);
  });

  it('names a requestedVia without its creator', () => {
    const event = { ...sample(JourneyRequestedV1), payload: { ...REQUESTED, requestedVia: { apiKeyId: via.apiKeyId, apiKeyName: via.apiKeyName } } };
    const result = parseEvent(JourneyRequestedV1, event);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain('payload.requestedVia.createdBy');
  });
});

describe('step failure codes', () => {
  it('has ACCOUNT_EXISTS for an account the journey did not create', () => {
    const event = buildEvent(AccountFailedV1, { requestId: '2f1e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b', journeyType: 'new-hire', producer: 'identity' }, { ...failure, code: 'ACCOUNT_EXISTS' }, {
      eventId: '7e6d5c4b-3a29-4180-9f7e-6d5c4b3a2918',
      occurredAt: new Date(NOW),
    });
    expect(parseEvent(AccountFailedV1, JSON.parse(JSON.stringify(event))).ok).toBe(true);
    expect(parseEvent(AccountFailedV1, { ...event, payload: { ...event.payload, code: 'ACCOUNT_TAKEN' } }).ok).toBe(false);
  });
});
