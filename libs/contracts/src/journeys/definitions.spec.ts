import { EVENT_CONTRACTS } from '../topics';
import { definitionOfRequest, JOURNEY_DEFINITIONS, startTopicsOf, stepEventTopics } from './journey-catalogue';
import { definitionDocument, type JourneyDefinitionDocument, parseJourneyDefinition } from './journey-definition';
import { NEW_HIRE_V1 } from './new-hire.journey';
import { assuranceTopics, ownerTopics, type Participant, participationProblems } from './participation';
import { compensationsOf, ownStep, retriesOf, runsStep } from './step-routing';

const newHire = (): JourneyDefinitionDocument => definitionDocument(NEW_HIRE_V1);

/** The subscriptions the shipped services derive from the shipped definitions. */
const participants = (): Participant[] => [
  { service: 'assurance', topics: assuranceTopics() },
  { service: 'identity-domain', owner: 'identity', topics: ownerTopics('identity') },
  { service: 'saas-domain', owner: 'saas', topics: ownerTopics('saas') },
  { service: 'device-domain', owner: 'device', topics: ownerTopics('device') },
  { service: 'facilities-domain', owner: 'facilities', topics: ownerTopics('facilities') },
];

describe('a definition document', () => {
  it('round-trips: every shipped definition is its own document, parsed back to the same contracts', () => {
    for (const definition of JOURNEY_DEFINITIONS) {
      const parsed = parseJourneyDefinition(JSON.parse(JSON.stringify(definitionDocument(definition))), EVENT_CONTRACTS);
      expect(parsed).toEqual({ ok: true, definition });
    }
  });

  it('is refused with every problem named: unknown topic, another owner\'s event, a missing or cyclic predecessor, a done-signal of no step', () => {
    const doc = newHire();
    const broken = {
      ...doc,
      steps: [
        { ...doc.steps[0], completedBy: 'identity.account.created.v1', after: ['device'] },
        { ...doc.steps[1], failedBy: 'identity.account.failed.v1', after: ['nobody'] },
        { ...doc.steps[2], after: ['identity'] },
      ],
      doneWhen: [...doc.doneWhen, 'device.assignment.compensated.v1'],
    };
    const parsed = parseJourneyDefinition(broken, EVENT_CONTRACTS);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.problems).toEqual([
      'steps.0.completedBy: no event contract has the topic identity.account.created.v1',
      'steps.1.after: no step is named nobody',
      'steps.1.failedBy: identity.account.failed.v1 is an event of identity, not of the step\'s owner saas',
      'doneWhen.0: identity.account.verified.v1 completes no step of the definition',
      'doneWhen.3: device.assignment.compensated.v1 completes no step of the definition',
    ]);
    const cyclic = { ...doc, steps: [{ ...doc.steps[0], after: ['device'] }, doc.steps[1], { ...doc.steps[2], after: ['identity'] }] };
    expect(parseJourneyDefinition(cyclic, EVENT_CONTRACTS)).toEqual({ ok: false, problems: ['steps: the `after` relations make a cycle, so some step could never start'] });
  });

  it('is refused when its shape is wrong, naming the field', () => {
    expect(parseJourneyDefinition({ ...newHire(), type: 'moon-landing' }, EVENT_CONTRACTS)).toMatchObject({ ok: false, problems: [expect.stringMatching(/^type: /)] });
    expect(parseJourneyDefinition({ ...newHire(), steps: [] }, EVENT_CONTRACTS)).toMatchObject({ ok: false, problems: [expect.stringMatching(/^steps: /)] });
    expect(parseJourneyDefinition({ ...newHire(), extra: 1 }, EVENT_CONTRACTS)).toMatchObject({ ok: false });
  });
});

describe('the definition a journey runs by', () => {
  const request = { type: 'new-hire', definitionVersion: 2 };

  it('is the one its request carries, of the request\'s type and version', () => {
    const v2 = { ...newHire(), version: 2, steps: newHire().steps.filter((s) => s.name !== 'device'), doneWhen: newHire().doneWhen.filter((t) => !t.startsWith('device.')) };
    expect(definitionOfRequest({ ...request, definition: v2 })?.steps.map((s) => s.name)).toEqual(['identity', 'saas']);
    expect(definitionOfRequest({ ...request, definitionVersion: 3, definition: v2 })).toBeUndefined();
    expect(definitionOfRequest({ ...request, definition: { ...v2, doneWhen: ['nobody.x.y.v1'] } })).toBeUndefined();
  });

  it('is the shipped one of its version when the request carries none (requests from before definitions travelled)', () => {
    expect(definitionOfRequest({ type: 'new-hire', definitionVersion: 1 })).toBe(NEW_HIRE_V1);
    expect(definitionOfRequest({ type: 'new-hire', definitionVersion: 9 })).toBeUndefined();
  });

  it('decides which owners act: a version without a step asks nothing of its owner', () => {
    const device = ownStep('device', NEW_HIRE_V1, 'device');
    const doc = newHire();
    const withoutDevice = { ...doc, version: 2, steps: doc.steps.filter((s) => s.name !== 'device'), doneWhen: doc.doneWhen.filter((t) => !t.startsWith('device.')) };
    const base = { type: 'new-hire' as const, requestedBy: 'm', subject: { employeeId: 'E1', email: 'e@x.test', displayName: 'E' }, groups: [], apps: [], device: { model: 'm' }, requestedAt: '2026-01-01T00:00:00Z' };
    expect(runsStep(device, { ...base, definitionVersion: 1 })).toBe(true);
    expect(runsStep(device, { ...base, definitionVersion: 2, definition: withoutDevice })).toBe(false);
    // Nor does a retry or a compensation of that step reach its owner.
    const asked = (request: object) => ({ payload: { step: 'device', owner: 'device', attempt: 2, reason: 'OPERATOR', request, evidence: {} } }) as never;
    expect(retriesOf(device, [asked({ ...base, definitionVersion: 1 })])).toHaveLength(1);
    expect(retriesOf(device, [asked({ ...base, definitionVersion: 2, definition: withoutDevice })])).toHaveLength(0);
    expect(compensationsOf(device, [asked({ ...base, definitionVersion: 2, definition: withoutDevice })])).toHaveLength(0);
  });

  it('names its steps: a step handle for a step the definition lacks, or of another owner, is refused', () => {
    expect(ownStep('identity', NEW_HIRE_V1, 'identity')).toEqual({ journeyType: 'new-hire', owner: 'identity', step: 'identity' });
    expect(() => ownStep('identity', NEW_HIRE_V1, 'badge')).toThrow('new-hire v1 has no step badge');
    expect(() => ownStep('saas', NEW_HIRE_V1, 'identity')).toThrow("the step identity of new-hire v1 is identity's, not saas's");
  });
});

describe('who consumes what (one source of truth)', () => {
  it('derives each owner\'s start topics from the definitions: saas starts on identity\'s verifications', () => {
    expect(startTopicsOf('saas').sort()).toEqual(['identity.access.changed.v1', 'identity.account.verified.v1']);
    expect(startTopicsOf('identity')).toEqual([]);
    expect(stepEventTopics()).toHaveLength(new Set(stepEventTopics()).size);
  });

  it('finds nothing wrong with the subscriptions the shipped services derive', () => {
    expect(participationProblems(JOURNEY_DEFINITIONS, participants())).toEqual([]);
  });

  it('fails on a definition whose step events nobody consumes, and on a topic consumed that no definition names', () => {
    const withoutFacilities = participants().filter((p) => p.owner !== 'facilities');
    expect(participationProblems(JOURNEY_DEFINITIONS, withoutFacilities)).toEqual([
      'new-hire v2: step badge is owned by facilities, and no service is that owner',
      'offboarding v1: step badge is owned by facilities, and no service is that owner',
    ]);
    // saas forgot the subscription that starts its step after the directory change:
    const forgetful = participants().map((p) => (p.owner === 'saas' ? { ...p, topics: p.topics.filter((t) => t !== 'identity.access.changed.v1') } : p));
    expect(participationProblems(JOURNEY_DEFINITIONS, forgetful)).toEqual([
      'access-change v1: step app-access starts when directory-access is verified, but its owner saas-domain does not consume identity.access.changed.v1',
    ]);
    // assurance follows a topic only some earlier definition named:
    const stale = participants().map((p) => (p.service === 'assurance' ? { ...p, topics: [...p.topics, 'device.badge.printed.v1'] } : p));
    expect(participationProblems(JOURNEY_DEFINITIONS, stale)).toEqual(['assurance consumes device.badge.printed.v1, which no definition names']);
    // assurance does not follow a step's failures:
    const blind = participants().map((p) => (p.service === 'assurance' ? { ...p, topics: p.topics.filter((t) => t !== 'saas.access.failed.v1') } : p));
    expect(participationProblems(JOURNEY_DEFINITIONS, blind)).toEqual([
      "new-hire v1: step saas's saas.access.failed.v1 is not consumed by assurance",
      "new-hire v2: step saas's saas.access.failed.v1 is not consumed by assurance",
      "access-change v1: step app-access's saas.access.failed.v1 is not consumed by assurance",
      "saas-licensing v1: step licence's saas.access.failed.v1 is not consumed by assurance",
      "offboarding v1: step app-access's saas.access.failed.v1 is not consumed by assurance",
    ]);
  });
});
