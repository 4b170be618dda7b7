import { JOURNEY_DEFINITIONS, participationProblems } from '@closeloop/contracts';
import { serviceList, startTestIdentityProvider, type TestIdentityProvider } from '@closeloop/testing';

import { declaredSubscriptions, serviceEnv } from './support/services';

/**
 * One source of truth: what the services of deploy/services.json subscribe to, read from their
 * modules as they are built, checked against the journey definitions. A step whose events its
 * owner or assurance does not consume would stall and escalate every journey of its type; a
 * topic consumed that no definition names is a subscription left behind. intake consumes
 * assurance's verdicts and the upstream feeds besides.
 */
let idp: TestIdentityProvider;
beforeAll(async () => {
  idp = await startTestIdentityProvider();
});
afterAll(() => idp?.stop());

describe('participation', () => {
  it('every step of every definition is consumed by its owner and by assurance, and nothing else is consumed', () => {
    const subscriptions = serviceList().map((s) => ({ ...s, topics: declaredSubscriptions(s.name, serviceEnv(idp)) }));
    // Every service consumes something: a module tree the walk could not read would pass the check vacuously.
    for (const { name, topics } of subscriptions) expect({ name, empty: topics.length === 0 }).toEqual({ name, empty: false });
    const participants = subscriptions
      .filter((s) => s.kind !== 'intake')
      .map((s) => ({ service: s.name, ...(s.kind === 'domain' ? { owner: s.owner } : {}), topics: s.topics }));
    expect(participationProblems(JOURNEY_DEFINITIONS, participants)).toEqual([]);
  });
});
