import { ROLES } from '@closeloop/auth';

import type { RouteSample } from './hostile-requests';
import { sendJson } from './http-client';
import type { SecurityContext } from './service-context';

/** Settings that fault nobody (`onlyFor` an employee that does not exist): a mutation of one field leaves them harmless. */
export const HARMLESS_FAULTS = { latencyMs: 0, failProvisioning: false, readBackDisagrees: false, rateLimitedCalls: 0, unavailableCalls: 0, retryAfterSeconds: 1, onlyFor: ['E-SECURITY-NOBODY'] };

/** The routes of a domain service that take input, with valid samples. */
export const DOMAIN_SAMPLES: Record<string, RouteSample> = {
  'PUT /simulator/faults': { body: () => HARMLESS_FAULTS },
};

/**
 * The simulator's fault switch answers nobody but an admin: anonymous → 401, every other role →
 * 403 MISSING_ROLE, and the switches are as they were; an admin sets and resets them.
 */
export const expectFaultSwitchGuarded = async (ctx: SecurityContext): Promise<void> => {
  const { url } = ctx.svc;
  const admin = await ctx.as('faults.admin@acme.test', ['admin']);
  const before = await sendJson(url, 'GET', '/simulator/faults', undefined, admin);
  expect(before.status).toBe(200);
  const sabotage = { failProvisioning: true, readBackDisagrees: true, latencyMs: 60000 };

  const anonymous = await sendJson(url, 'PUT', '/simulator/faults', sabotage);
  expect({ status: anonymous.status, reason: anonymous.json?.reason }).toEqual({ status: 401, reason: 'MISSING_CREDENTIALS' });
  for (const role of ROLES.filter((r) => r !== 'admin')) {
    const refused = await sendJson(url, 'PUT', '/simulator/faults', sabotage, await ctx.as(`faults.${role}@acme.test`, [role]));
    expect({ role, status: refused.status, reason: refused.json?.reason }).toEqual({ role, status: 403, reason: 'MISSING_ROLE' });
  }
  const after = await sendJson(url, 'GET', '/simulator/faults', undefined, admin);
  expect(after.json).toEqual(before.json);

  const set = await sendJson(url, 'PUT', '/simulator/faults', HARMLESS_FAULTS, admin);
  expect(set.status).toBe(200);
  await resetFaults(ctx);
};

/** No faults at all (after the hostile inputs, some of which an admin's token sent to the switch). */
export const resetFaults = async (ctx: SecurityContext): Promise<void> => {
  const reset = await sendJson(ctx.svc.url, 'PUT', '/simulator/faults', {}, await ctx.as('faults.admin@acme.test', ['admin']));
  expect(reset.status).toBe(200);
  expect(reset.json).toMatchObject({ latencyMs: 0, failProvisioning: false, readBackDisagrees: false });
};
