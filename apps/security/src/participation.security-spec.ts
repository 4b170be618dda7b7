import { JOURNEY_DEFINITIONS, participationProblems } from '@closeloop/contracts';
import { startTestIdentityProvider, type TestIdentityProvider } from '@closeloop/testing';

import { declaredSubscriptions, serviceEnv, type ServiceName } from './support/services';

/**
 * One source of truth: what the services subscribe to, read from their modules as they are
 * built, checked against the journey definitions. A step whose events its owner or assurance does
 * not consume would stall and escalate every journey of its type; a topic consumed that no
 * definition names is a subscription left behind. intake consumes assurance's verdicts and the
 * upstream feeds besides.
 */
const OWNERS: Partial<Record<ServiceName, string>> = { 'identity-domain': 'identity', 'saas-domain': 'saas', 'device-domain': 'device' };

let idp: TestIdentityProvider;
beforeAll(async () => {
  idp = await startTestIdentityProvider();
});
afterAll(() => idp?.stop());

describe('participation', () => {
  it('every step of every definition is consumed by its owner and by assurance, and nothing else is consumed', () => {
    const services: ServiceName[] = ['intake', 'identity-domain', 'saas-domain', 'device-domain', 'assurance'];
    const subscriptions = Object.fromEntries(services.map((name) => [name, declaredSubscriptions(name, serviceEnv(idp))]));
    const participants = services
      .filter((name) => name !== 'intake')
      .map((name) => ({ service: name, ...(OWNERS[name] ? { owner: OWNERS[name] } : {}), topics: subscriptions[name] ?? [] }));
    expect(participationProblems(JOURNEY_DEFINITIONS, participants)).toEqual([]);
    // Every service consumes something: a module tree the walk could not read would pass the check vacuously.
    for (const name of services) expect({ name, empty: (subscriptions[name] ?? []).length === 0 }).toEqual({ name, empty: false });
  });
});
