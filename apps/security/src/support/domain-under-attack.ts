import { expectNoServerErrors, expectPoisonDeadLettered, expectRouteMatrix } from './checks';
import { DOMAIN_SAMPLES, expectFaultSwitchGuarded, resetFaults } from './fault-switch';
import type { RouteSample } from './hostile-requests';
import { type SecurityContext, useService } from './service-context';

export interface DomainAttack {
  /** Settings of the service under test besides the stage's own. */
  readonly env?: Record<string, string>;
  /** Valid samples of the service's own input routes, besides the fault switch. */
  readonly samples?: Record<string, RouteSample>;
  /** The service's own attacks (its simulator's door, say), run after the fault switch's. */
  readonly more?: (ctx: () => SecurityContext) => void;
}

/**
 * A domain service in-process, under the attacks every domain service gets: its route × role
 * matrix, its simulator's fault switch, hostile input on every route that takes input, and poison
 * on every topic it consumes.
 */
export const describeDomainUnderAttack = (name: string, attack: DomainAttack = {}): void => {
  const ctx = useService(name, attack.env);

  describe(`${name} under attack`, () => {
    it('answers every route only to the roles it declares (route × role matrix)', () => expectRouteMatrix(ctx()));

    it('refuses PUT /simulator/faults to anyone but an admin', () => expectFaultSwitchGuarded(ctx()));

    attack.more?.(ctx);

    it('answers hostile bodies, query strings and parameters with a 4xx, never a 5xx', async () => {
      try {
        await expectNoServerErrors(ctx(), { ...DOMAIN_SAMPLES, ...attack.samples });
      } finally {
        await resetFaults(ctx());
      }
    });

    it('dead-letters every kind of poison on every topic it consumes, with a bounded reason, and goes on', () => expectPoisonDeadLettered(ctx()));
  });
};
