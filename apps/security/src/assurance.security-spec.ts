import { sql } from '@closeloop/testing';

import { expectNoServerErrors, expectPoisonDeadLettered, expectRouteMatrix } from './support/checks';
import { type EscalatedJourney, escalatedJourney } from './support/escalation';
import type { RouteSample } from './support/hostile-requests';
import { sendJson } from './support/http-client';
import { SECURITY_DATABASE_URL } from './support/security-database';
import { useService } from './support/service-context';

/** assurance in-process: nobody forges a verified outcome through its work queue. */
const ctx = useService('assurance');

const FIXED = { action: 'fixed', comment: 'checked by hand', evidence: { compliant: true, checkedBy: 'me' } };

/** What an operator did to the journey, from the audit trail (the database, not the API under test). */
const operatorActions = (requestId: string) =>
  sql<{ actor: string; action: string }>("SELECT actor, action FROM assurance.audit_entries WHERE request_id = $1 AND actor LIKE 'operator:%' ORDER BY seq", [requestId], SECURITY_DATABASE_URL);

let forHostile: EscalatedJourney | undefined;

describe('assurance under attack', () => {
  it('answers every route only to the roles it declares (route × role matrix)', () => expectRouteMatrix(ctx()));

  describe('the work queue: the actor is the credential', () => {
    let journey: EscalatedJourney;
    const url = () => ctx().svc.url;
    const state = async () => {
      const auditor = await ctx().as('security.auditor@acme.test', ['auditor']);
      const tracked = await sendJson(url(), 'GET', `/journeys/${journey.requestId}`, undefined, auditor);
      const outcome = await sendJson(url(), 'GET', `/journeys/${journey.requestId}/outcome`, undefined, auditor);
      return { status: tracked.json?.status, device: tracked.json?.steps?.device?.status, outcome: outcome.status, operatorActions: await operatorActions(journey.requestId) };
    };
    const unchanged = { status: 'escalated', device: 'escalated', outcome: 404, operatorActions: [] };

    beforeAll(async () => {
      journey = await escalatedJourney(ctx());
      forHostile = await escalatedJourney(ctx());
    }, 120000);

    it('refuses an anonymous resolve with 401, and nothing changes: no verified outcome, no operator action', async () => {
      expect(await state()).toEqual(unchanged);
      for (const path of ['resolve', 'claim']) {
        const anonymous = await sendJson(url(), 'POST', `/work-queue/${journey.requestId}/${path}`, path === 'resolve' ? FIXED : {});
        expect({ status: anonymous.status, reason: anonymous.json?.reason }).toEqual({ status: 401, reason: 'MISSING_CREDENTIALS' });
      }
      const forged = await sendJson(url(), 'POST', `/work-queue/${journey.requestId}/resolve`, FIXED, { authorization: `Bearer ${await ctx().idp.tokenSignedByUnknownKey({ sub: 'ops.mallory@acme.test', roles: ['operator'] })}` });
      expect(forged.status).toBe(401);
      const reader = await sendJson(url(), 'POST', `/work-queue/${journey.requestId}/resolve`, FIXED, await ctx().as('ops.reader@acme.test', ['auditor', 'requester', 'approver']));
      expect({ status: reader.status, reason: reader.json?.reason }).toEqual({ status: 403, reason: 'MISSING_ROLE' });
      expect(await state()).toEqual(unchanged);
    });

    it('refuses an operator named in the body with 400, also from a real operator, and nothing changes', async () => {
      const ops = await ctx().as('ops.ada@acme.test', ['operator']);
      for (const [path, body] of [
        ['resolve', { ...FIXED, operator: 'someone.else@acme.test' }],
        ['claim', { operator: 'someone.else@acme.test' }],
      ] as const) {
        const named = await sendJson(url(), 'POST', `/work-queue/${journey.requestId}/${path}`, body, ops);
        expect(named.status).toBe(400);
        expect(named.text).toContain('operator');
      }
      expect(await state()).toEqual(unchanged);
    });

    it('refuses the requester and the creator of the requesting API key, even holding the operator role (403 OWN_REQUEST)', async () => {
      for (const sub of [journey.requestedBy, journey.keyCreator, journey.employeeId]) {
        const own = await sendJson(url(), 'POST', `/work-queue/${journey.requestId}/resolve`, FIXED, await ctx().as(sub, ['operator']));
        expect({ sub, status: own.status, reason: own.json?.reason }).toEqual({ sub, status: 403, reason: 'OWN_REQUEST' });
      }
      expect(await state()).toEqual(unchanged);
    });

    it('lets another operator claim and resolve it, recording the operator of the token', async () => {
      const ops = await ctx().as('ops.bob@acme.test', ['operator']);
      expect((await sendJson(url(), 'POST', `/work-queue/${journey.requestId}/claim`, {}, ops)).status).toBe(200);
      expect((await sendJson(url(), 'POST', `/work-queue/${journey.requestId}/resolve`, FIXED, ops)).status).toBe(200);
      expect((await operatorActions(journey.requestId)).map((a) => a.actor)).toEqual(['operator:ops.bob@acme.test', 'operator:ops.bob@acme.test']);
    });
  });

  it('answers hostile bodies, query strings and parameters with a 4xx, never a 5xx', async () => {
    const known = forHostile ? [forHostile.requestId] : [];
    const samples: Record<string, RouteSample> = {
      'POST /work-queue/:id/claim': { body: () => ({}), params: { id: known } },
      'POST /work-queue/:id/resolve': { body: () => FIXED, params: { id: known } },
      'GET /journeys/:id': { params: { id: known } },
      'GET /journeys/:id/timeline': { params: { id: known } },
      'GET /journeys/:id/timeline/verify': { params: { id: known } },
      'GET /journeys/:id/outcome': { params: { id: known } },
    };
    await expectNoServerErrors(ctx(), samples);
  });

  it('dead-letters every kind of poison on every topic it consumes, with a bounded reason, and goes on', () => expectPoisonDeadLettered(ctx()));
});
