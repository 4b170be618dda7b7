import { expectNoServerErrors, expectPoisonDeadLettered, expectRouteMatrix } from './support/checks';
import { DOMAIN_SAMPLES, expectFaultSwitchGuarded, resetFaults } from './support/fault-switch';
import { useService } from './support/service-context';

/** device-domain in-process: its routes, its simulator's fault switch, hostile input, poison on every topic it consumes. */
const ctx = useService('device-domain');

describe('device-domain under attack', () => {
  it('answers every route only to the roles it declares (route × role matrix)', () => expectRouteMatrix(ctx()));

  it('refuses PUT /simulator/faults to anyone but an admin', () => expectFaultSwitchGuarded(ctx()));

  it('answers hostile bodies, query strings and parameters with a 4xx, never a 5xx', async () => {
    try {
      await expectNoServerErrors(ctx(), {
        ...DOMAIN_SAMPLES,
        'PUT /simulator/itsm/records/:recordId': { params: { recordId: ['RITM-SECURITY-1'] } },
        'GET /simulator/itsm/records/:recordId': { params: { recordId: ['RITM-SECURITY-1'] } },
      });
    } finally {
      await resetFaults(ctx());
    }
  });

  it('dead-letters every kind of poison on every topic it consumes, with a bounded reason, and goes on', () => expectPoisonDeadLettered(ctx()));
});
