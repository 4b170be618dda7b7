import { randomUUID } from 'node:crypto';

import { ACCESS_CHANGE_V1, definitionDocument } from '@closeloop/contracts';
import { newHireRequest } from '@closeloop/testing';
import fc from 'fast-check';

import { expectNoServerErrors, expectPoisonDeadLettered, expectRouteMatrix } from './support/checks';
import type { RouteSample } from './support/hostile-requests';
import { sendJson } from './support/http-client';
import { useService } from './support/service-context';

/** intake in-process: who asks is who authenticated, and no request takes what the policy does not give it. */
const ctx = useService('intake');

/** A valid new hire whose ids derive from `id` (fast-check's UUIDs replay with the seed). */
const newHire = (id: string, overrides: Record<string, unknown> = {}) => {
  const short = id.replace(/-/g, '').slice(0, 12);
  return newHireRequest({ subject: { employeeId: `E-${short}`, email: `hire.${short}@acme.test`, displayName: `Hire ${short}` }, ...overrides });
};

const url = () => ctx().svc.url;
const submit = async (who: Record<string, string>, body: unknown) => sendJson(url(), 'POST', '/journeys', body, who);
const journeyOf = async (requestId: string) => (await sendJson(url(), 'GET', `/journeys/${requestId}`, undefined, await ctx().as('security.auditor@acme.test', ['auditor']))).json;

/** Ids the scenarios leave behind, for the hostile inputs to aim at. */
const known = { journeys: [] as string[], tasks: [] as string[], apiKeys: [] as string[] };

describe('intake under attack', () => {
  it('answers every route only to the roles it declares (route × role matrix)', () => expectRouteMatrix(ctx()));

  describe('scenarios of the issue, refused', () => {
    it('takes the requester from the credential, never from the body', async () => {
      const manager = await ctx().as('hm.one@acme.test', ['requester']);
      const accepted = await submit(manager, newHire(randomUUID(), { requestedBy: 'ceo@acme.test' }));
      expect(accepted.status).toBe(202);
      known.journeys.push(accepted.json.requestId);
      expect((await journeyOf(accepted.json.requestId)).requestedBy).toBe('hm.one@acme.test');
    });

    it('refuses a new hire for an employee whose earlier new hire exists: 409 naming that journey, whoever asks', async () => {
      const body = newHire(randomUUID());
      const first = await submit(await ctx().as('hm.one@acme.test', ['requester']), body);
      expect(first.status).toBe(202);
      for (const who of [await ctx().as('hm.two@acme.test', ['requester']), await ctx().as('it.admin@acme.test', ['admin'])]) {
        const takeover = await submit(who, { ...body, groups: ['staff', 'finance'], apps: [{ app: 'salesforce', role: 'user' }] });
        expect(takeover.status).toBe(409);
        expect(takeover.text).toContain(first.json.requestId);
      }
    });

    it('gives a request with app role admin the pre-approval control pattern: awaiting approval, not started', async () => {
      const requester = await ctx().as('hm.one@acme.test', ['requester']);
      const admin = await submit(requester, newHire(randomUUID(), { apps: [{ app: 'asana', role: 'admin' }] }));
      expect(admin.status).toBe(202);
      expect(admin.json.status).toBe('awaiting-approval');
      expect((await journeyOf(admin.json.requestId)).policy).toMatchObject({ control: 'pre-approval' });
      const tasks = await sendJson(url(), 'GET', `/journeys/${admin.json.requestId}/approvals`, undefined, await ctx().as('security.auditor@acme.test', ['auditor']));
      known.tasks.push(...tasks.json.tasks.map((t: { taskId: string }) => t.taskId));
      known.journeys.push(admin.json.requestId);
      // A role the app's catalogue does not list is no way around it.
      expect((await submit(requester, newHire(randomUUID(), { apps: [{ app: 'asana', role: 'superadmin' }] }))).status).toBe(400);
    });

    it('does not let a licence named after a prototype key make the cost rule fail open', async () => {
      const admin = await ctx().as('policy.admin@acme.test', ['admin']);
      const active = (await sendJson(url(), 'GET', '/policy', undefined, admin)).json as { version: number; rules: Array<{ id: string; when?: { licenceCostAbove?: number } }> };
      const costly = active.rules.find((r) => r.when?.licenceCostAbove !== undefined);
      expect(costly).toBeDefined();
      // A price list where one enterprise Salesforce seat (150 EUR) is over the cost rule's threshold.
      const cheaper = { ...active, version: active.version + 1, rules: active.rules.map((r) => (r.id === costly?.id ? { ...r, when: { licenceCostAbove: 100 } } : r)) };
      expect((await sendJson(url(), 'PUT', '/policy', cheaper, admin)).status).toBe(200);
      try {
        const requester = await ctx().as('hm.one@acme.test', ['requester']);
        for (const licence of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'prototype']) {
          const apps = [
            { app: 'salesforce', role: 'user', licence: 'enterprise' },
            { app: 'asana', role: 'member', licence },
          ];
          const response = await submit(requester, newHire(randomUUID(), { apps }));
          expect({ licence, status: response.status, journeyStatus: response.json?.status }).toEqual({ licence, status: 202, journeyStatus: 'awaiting-approval' });
          expect((await journeyOf(response.json.requestId)).policy).toMatchObject({ rule: costly?.id, control: 'pre-approval' });
        }
        // Nor as the app's name, nor in a licensing journey.
        expect((await submit(requester, newHire(randomUUID(), { apps: [{ app: 'constructor', role: 'member' }] }))).status).toBe(400);
        const seats = { type: 'saas-licensing', requestedBy: 'x', subject: newHire(randomUUID()).subject, app: 'salesforce', licenceType: 'constructor', seats: 50 };
        expect((await submit(requester, seats)).status).toBeLessThan(500);
      } finally {
        expect((await sendJson(url(), 'PUT', '/policy', active, admin)).status).toBe(200);
      }
    });

    it('refuses an admin who created an API key the approval of a journey requested with that key (403 OWN_REQUEST)', async () => {
      const keyAdmin = await ctx().as('keys.admin@acme.test', ['admin', 'approver'], ['iam-approvers']);
      const created = await sendJson(url(), 'POST', '/api-keys', { name: `hr-feed-${randomUUID().slice(0, 8)}`, roles: ['requester'] }, keyAdmin);
      expect(created.status).toBe(201);
      known.apiKeys.push(created.json.id);
      const viaKey = await submit({ authorization: `ApiKey ${created.json.key}` }, newHire(randomUUID(), { groups: ['staff', 'domain-admins'] }));
      expect(viaKey.status).toBe(202);
      expect(viaKey.json.status).toBe('awaiting-approval');
      const tasks = (await sendJson(url(), 'GET', `/journeys/${viaKey.json.requestId}/approvals`, undefined, keyAdmin)).json.tasks as Array<{ taskId: string; kind: string }>;
      const task = tasks.find((t) => t.kind === 'pre-approval');
      expect(task).toBeDefined();
      for (const decision of ['approve', 'reject']) {
        const own = await sendJson(url(), 'POST', `/approvals/${task?.taskId}/${decision}`, { comment: 'my own key, looks fine' }, keyAdmin);
        expect({ decision, status: own.status, reason: own.json?.reason }).toEqual({ decision, status: 403, reason: 'OWN_REQUEST' });
      }
      const other = await sendJson(url(), 'POST', `/approvals/${task?.taskId}/approve`, { comment: 'checked with the HR team' }, await ctx().as('iam.approver@acme.test', ['approver'], ['iam-approvers']));
      expect({ status: other.status, decidedBy: other.json?.decidedBy }).toEqual({ status: 200, decidedBy: 'iam.approver@acme.test' });
    });
  });

  it('answers hostile bodies, query strings and parameters with a 4xx, never a 5xx', async () => {
    const policy = (await sendJson(url(), 'GET', '/policy', undefined, await ctx().as('policy.admin@acme.test', ['admin']))).json;
    const idempotencyKey = fc.oneof(
      { weight: 3, arbitrary: fc.constant({}) },
      { weight: 1, arbitrary: fc.oneof(fc.stringMatching(/^[\x20-\x7e]{0,250}$/), fc.constantFrom('workday:123', 'servicenow:abc', 'é', ' ', 'x'.repeat(201))).map((key) => ({ 'idempotency-key': key })) },
    );
    const decision = { body: () => ({ comment: 'agreed with the team' }), params: { taskId: known.tasks } };
    const samples: Record<string, RouteSample> = {
      'POST /journeys': { body: (id) => newHire(id), headers: idempotencyKey },
      'POST /journeys/:id/cancel': { body: () => ({ requestedBy: 'x', reason: 'no longer needed' }), params: { id: known.journeys } },
      'GET /journeys/:id': { params: { id: known.journeys } },
      'GET /journeys/:id/approvals': { params: { id: known.journeys } },
      'POST /approvals/:taskId/approve': decision,
      'POST /approvals/:taskId/reject': decision,
      'POST /api-keys': { body: (id) => ({ name: `hostile-${id.slice(0, 8)}`, roles: ['requester'] }) },
      'DELETE /api-keys/:id': { params: { id: [...known.apiKeys, '0123456789abcdef'] } },
      'PUT /policy': { body: () => policy },
      // A shipped definition again (a no-op); activation and retirement name a version never
      // registered, so the run changes no definition other suites start journeys on.
      'POST /definitions': { body: () => definitionDocument(ACCESS_CHANGE_V1) },
      'GET /definitions/:type/:version': { params: { type: ['new-hire'], version: ['1'] } },
      'POST /definitions/:type/:version/activate': { params: { type: ['saas-licensing'], version: ['424242'] } },
      'POST /definitions/:type/:version/retire': { params: { type: ['saas-licensing'], version: ['424242'] } },
    };
    await expectNoServerErrors(ctx(), samples);
  });

  it('dead-letters every kind of poison on every topic it consumes, with a bounded reason, and goes on', () => expectPoisonDeadLettered(ctx()));
});
