import { randomBytes, randomUUID } from 'node:crypto';

import { describeDomainUnderAttack } from './support/domain-under-attack';
import { runHostileInputsOn } from './support/hostile-runner';
import { send } from './support/http-client';
import { scimRoutes, scimUser } from './support/scim';
import { tally } from './support/tally';

/** The SCIM simulator's token in this run: the simulator takes it, and nothing else. */
const SCIM_TOKEN = `security-scim-${randomBytes(16).toString('hex')}`;

/** saas-domain in-process, with its SCIM simulator on: its routes, the simulator's guards, hostile input, poison. */
describeDomainUnderAttack('saas-domain', {
  env: { SIMULATOR: 'on', SAAS_SCIM_SIMULATOR_TOKEN: SCIM_TOKEN },
  more: (ctx) => {
    it('answers its SCIM simulator (mounted beside the controllers) only with the simulator token', async () => {
      const users = (authorization?: string) => send(ctx().svc.url, { method: 'GET', path: '/simulator/scim/asana/v2/Users', headers: authorization ? { authorization } : {} });
      const admin = await ctx().as('scim.admin@acme.test', ['admin', 'operator']);
      expect((await users()).status).toBe(401);
      expect((await users(admin['authorization'])).status).toBe(401);
      expect((await users(`Bearer ${SCIM_TOKEN}x`)).status).toBe(401);
      expect((await users('Bearer closeloop-local-scim-simulator-token')).status).toBe(401);
      expect((await users(`Bearer ${SCIM_TOKEN}`)).status).toBe(200);
    });

    it('answers hostile SCIM requests to its simulator (with the token) with a 4xx, never a 5xx', async () => {
      const bearer = { authorization: `Bearer ${SCIM_TOKEN}` };
      const created = await send(ctx().svc.url, { method: 'POST', path: '/simulator/scim/asana/v2/Users', headers: { ...bearer, 'content-type': 'application/scim+json' }, body: JSON.stringify(scimUser(randomUUID())) });
      expect(created.status).toBe(201);
      const target = { name: 'saas-domain', app: ctx().svc.app, url: ctx().svc.url, as: ctx().as, identities: async () => [] };
      const outcome = await runHostileInputsOn(target, scimRoutes(created.json.id), bearer);
      tally(
        { kind: 'hostile', service: 'saas-domain SCIM simulator', routes: outcome.routes.length, sent: outcome.sent, mustRefuse: outcome.mustRefuse, fiveXx: outcome.fiveXx, accepted: outcome.accepted },
        `${outcome.sent} hostile inputs sent to the SCIM simulator, ${outcome.fiveXx} 5xx (${outcome.mustRefuse} had to be refused with a 4xx, ${outcome.accepted} accepted as valid) on ${outcome.routes.join(', ')}`,
      );
      if (outcome.failures.length > 0) throw new Error(`saas-domain SCIM simulator: hostile input: ${outcome.failures.length} failure(s)\n\n${outcome.failures.join('\n\n')}`);
    });
  },
});
