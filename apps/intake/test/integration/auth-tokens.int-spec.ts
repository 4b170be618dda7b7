import { randomUUID } from 'node:crypto';

import { parseConfig } from '@closeloop/config';
import { JourneyCancelRequestedV1 } from '@closeloop/contracts';
import { createServiceApp } from '@closeloop/runtime';
import { consumeUntil, newHireRequest, sql, startTestIdentityProvider, testEnv, type TestIdentityProvider, testKafka } from '@closeloop/testing';
import { Body, Controller, Get, type INestApplication, Module, Post } from '@nestjs/common';
import request from 'supertest';

import { AppModule } from '../../src/app.module';
import { assertNotOwnRequest, CurrentPrincipal, type Principal, Roles } from '../../src/auth';
import { IntakeConfigSchema } from '../../src/config/intake.config';

/** Routes that exercise the guard where intake has none yet: an undeclared route, and an approval with separation of duties. */
@Controller('auth-test')
class AuthProbeController {
  @Get('undeclared')
  undeclared() {
    return { reached: true };
  }

  @Post('decide')
  @Roles('approver')
  decide(@Body() body: { requestedBy: string }, @CurrentPrincipal() approver: Principal) {
    assertNotOwnRequest(approver, body.requestedBy);
    return { decidedBy: approver.id };
  }
}

@Module({ controllers: [AuthProbeController] })
class AuthProbeModule {}

@Module({})
class TestRootModule {}

const kafka = testKafka('intake-auth-int');
let app: INestApplication;
let idp: TestIdentityProvider;

beforeAll(async () => {
  idp = await startTestIdentityProvider();
  const config = parseConfig(IntakeConfigSchema, { ...testEnv(), ...idp.env, PORT: '0', LOG_LEVEL: 'warn' });
  app = await createServiceApp({ module: TestRootModule, imports: [AppModule.register(config), AuthProbeModule] });
  await app.listen(0, '127.0.0.1');
});

afterAll(async () => {
  await app?.close();
  await idp?.stop();
});

const http = () => request(app.getHttpServer());
const as = (sub: string, ...roles: string[]) => idp.headers({ sub: `${sub}-${randomUUID().slice(0, 8)}`, roles });
const subOf = (headers: { authorization: string }) => JSON.parse(Buffer.from(headers.authorization.split('.')[1] ?? '', 'base64url').toString()).sub as string;

interface DenialRow {
  principal_kind: string | null;
  principal_id: string | null;
  method: string;
  path: string;
  status: number;
  reason: string;
  message: string;
}
const denials = (path: string, since: Date) =>
  sql<DenialRow>('SELECT principal_kind, principal_id, method, path, status, reason, message FROM intake.access_denials WHERE path = $1 AND at >= $2 ORDER BY id', [path, since]);
const denialsOf = (principalId: string) => sql<DenialRow>('SELECT principal_kind, principal_id, method, path, status, reason, message FROM intake.access_denials WHERE principal_id = $1 ORDER BY id', [principalId]);

const submit = async (headers: { authorization: string }, body: object = newHireRequest()) => {
  const response = await http().post('/journeys').set(headers).send(body).expect(202);
  return response.body.requestId as string;
};

describe('who is calling: bearer tokens', () => {
  it('answers 401 to a call without credentials or with a malformed header, says why, offers the schemes, and audits each', async () => {
    const since = new Date();
    const path = `/journeys/${randomUUID()}`;
    const missing = await http().get(path).expect(401);
    expect(missing.body).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      reason: 'MISSING_CREDENTIALS',
      message: 'authentication required: send Authorization: Bearer <token> (people) or Authorization: ApiKey <key> (upstream systems)',
    });
    expect(missing.headers['www-authenticate']).toBe('Bearer realm="closeloop-intake", ApiKey realm="closeloop-intake"');
    expect((await http().get(path).set('authorization', 'Basic YWRhOnNlY3JldA==').expect(401)).body).toMatchObject({ reason: 'MALFORMED_AUTHORIZATION', message: 'Authorization header must be "Bearer <token>" or "ApiKey <key>"' });
    expect((await http().get(path).set('authorization', 'Bearer').expect(401)).body.reason).toBe('MALFORMED_AUTHORIZATION');
    expect((await http().get(path).set('x-api-key', `clk_${'0'.repeat(16)}_${'a'.repeat(43)}`).expect(401)).body.message).toBe('X-API-Key is not read: send the key as Authorization: ApiKey <key>');

    expect(await denials(path, since)).toEqual(
      ['MISSING_CREDENTIALS', 'MALFORMED_AUTHORIZATION', 'MALFORMED_AUTHORIZATION', 'MALFORMED_AUTHORIZATION'].map((reason) => expect.objectContaining({ principal_kind: null, principal_id: null, method: 'GET', path, status: 401, reason })),
    );
  });

  it('refuses an expired token, a token signed by a key the provider does not publish, and one for another issuer or audience; starts nothing; audits each without the token', async () => {
    const sub = `ada-${randomUUID().slice(0, 8)}`;
    const claims = { sub, roles: ['requester'] };
    const cases = [
      { token: await idp.expiredToken(claims), reason: 'TOKEN_EXPIRED', message: 'token expired: get a new one from the identity provider', who: sub },
      { token: await idp.tokenSignedByUnknownKey(claims, { sameKid: true }), reason: 'BAD_SIGNATURE', message: "token signature does not verify against the identity provider's keys", who: null },
      { token: await idp.tokenSignedByUnknownKey(claims), reason: 'BAD_SIGNATURE', message: 'token is signed with a key the identity provider does not publish', who: null },
      { token: await idp.token(claims, { issuer: 'https://login.evil.test/' }), reason: 'WRONG_ISSUER', message: `token was not issued by ${idp.env.AUTH_ISSUER}`, who: sub },
      { token: await idp.token(claims, { audience: 'another-api' }), reason: 'WRONG_AUDIENCE', message: 'token is not meant for this API: its audience does not include closeloop-intake', who: sub },
      { token: 'not-a-jwt', reason: 'MALFORMED_TOKEN', message: 'bearer token is not a well-formed signed JWT', who: null },
      // Whatever it carries, a token is read only once its signature verified.
      { token: `${(await idp.token(claims)).split('.').slice(0, 2).join('.')}.c2lnbmF0dXJl`, reason: 'BAD_SIGNATURE', message: "token signature does not verify against the identity provider's keys", who: null },
    ];
    const since = new Date();
    for (const c of cases) {
      const body = newHireRequest();
      const refused = await http().post('/journeys').set('authorization', `Bearer ${c.token}`).send(body).expect(401);
      expect(refused.body).toEqual({ statusCode: 401, error: 'Unauthorized', reason: c.reason, message: c.message });
      expect(refused.headers['www-authenticate']).toContain('error="invalid_token"');
      expect(await sql("SELECT 1 FROM intake.journeys WHERE request->'subject'->>'employeeId' = $1", [body.subject.employeeId])).toHaveLength(0);
    }
    expect(await denials('/journeys', since)).toEqual(cases.map((c) => expect.objectContaining({ status: 401, method: 'POST', reason: c.reason, message: c.message, principal_id: c.who })));
    const stored = JSON.stringify(await sql('SELECT * FROM intake.access_denials WHERE at >= $1', [since]));
    for (const c of cases) expect(stored).not.toContain(c.token.split('.')[2] ?? c.token);
  });

  it('accepts RS256 and ES256 tokens of the provider', async () => {
    const es = { authorization: `Bearer ${await idp.token({ sub: `ec-${randomUUID()}`, roles: ['requester'] }, { algorithm: 'ES256' })}` };
    const requestId = await submit(es);
    expect((await http().get(`/journeys/${requestId}`).set(es).expect(200)).body.requestedBy).toBe(subOf(es));
  });

  it('answers 403 to a caller without a role the endpoint declares, naming the roles and the endpoint, and audits who it was', async () => {
    const auditor = await as('dan', 'auditor');
    const refused = await http().post('/journeys').set(auditor).send(newHireRequest()).expect(403);
    expect(refused.body).toEqual({ statusCode: 403, error: 'Forbidden', reason: 'MISSING_ROLE', message: `missing role requester or admin for POST /journeys (${subOf(auditor)} has auditor)` });
    const nobody = await as('nora');
    expect((await http().post('/journeys').set(nobody).send(newHireRequest()).expect(403)).body.message).toBe(`missing role requester or admin for POST /journeys (${subOf(nobody)} has no roles)`);
    expect((await http().get('/api-keys').set(await as('ann', 'requester', 'operator', 'auditor', 'approver')).expect(403)).body.message).toContain('missing role admin for GET /api-keys');

    expect(await denialsOf(subOf(auditor))).toEqual([expect.objectContaining({ principal_kind: 'user', method: 'POST', path: '/journeys', status: 403, reason: 'MISSING_ROLE' })]);
    expect(await denialsOf(subOf(nobody))).toHaveLength(1);
  });

  it('keeps role boundaries on journeys: requesters see and cancel their own only; approvers, operators, auditors and admins see any; operators and admins cancel any', async () => {
    const ada = await as('ada', 'requester');
    const eve = await as('eve', 'requester');
    // The body's requestedBy is overwritten by who authenticated.
    const requestId = await submit(ada, newHireRequest({ requestedBy: 'somebody.else@acme.test' }));
    expect((await http().get(`/journeys/${requestId}`).set(ada).expect(200)).body.requestedBy).toBe(subOf(ada));

    const notHers = await http().get(`/journeys/${requestId}`).set(eve).expect(403);
    expect(notHers.body).toMatchObject({ reason: 'NOT_OWNER', message: `${subOf(eve)} may not see journey ${requestId}: someone else requested it, and only its requester or a caller with role approver or operator or auditor or admin may` });
    expect(notHers.body.message).not.toContain(subOf(ada));
    for (const role of ['approver', 'operator', 'auditor', 'admin']) {
      expect((await http().get(`/journeys/${requestId}`).set(await as(role, role)).expect(200)).body.requestId).toBe(requestId);
    }
    expect((await http().post(`/journeys/${requestId}/cancel`).set(eve).send({ reason: 'not mine' }).expect(403)).body.reason).toBe('NOT_OWNER');
    expect((await http().post(`/journeys/${requestId}/cancel`).set(await as('aud', 'auditor')).send({ reason: 'x' }).expect(403)).body.reason).toBe('MISSING_ROLE');
    expect((await http().post(`/journeys/${requestId}/cancel`).set(await as('apr', 'approver')).send({ reason: 'x' }).expect(403)).body.reason).toBe('MISSING_ROLE');

    const operator = await as('ops', 'operator');
    expect((await http().post('/journeys').set(operator).send(newHireRequest()).expect(403)).body.reason).toBe('MISSING_ROLE');
    await http().post(`/journeys/${requestId}/cancel`).set(operator).send({ requestedBy: 'forged', reason: 'duplicate request' }).expect(202);
    const [cancelled] = await consumeUntil(kafka, JourneyCancelRequestedV1.topic, (m) => m.message.key?.toString() === requestId);
    expect((cancelled?.value as JourneyCancelRequestedV1).payload).toEqual({ requestedBy: subOf(operator), reason: 'duplicate request' });

    // A requester cancels its own; an admin submits and cancels any.
    const own = await submit(ada);
    await http().post(`/journeys/${own}/cancel`).set(ada).send({ reason: 'offer withdrawn' }).expect(202);
    const admin = await as('root', 'admin');
    const byAdmin = await submit(admin);
    await http().post(`/journeys/${byAdmin}/cancel`).set(admin).send({ reason: 'test' }).expect(202);
    await http().post(`/journeys/${requestId}/cancel`).set(await as('xyz', 'admin')).send({ reason: 'again' }).expect(409);

    expect(await denialsOf(subOf(eve))).toEqual([
      expect.objectContaining({ method: 'GET', path: `/journeys/${requestId}`, status: 403, reason: 'NOT_OWNER' }),
      expect.objectContaining({ method: 'POST', path: `/journeys/${requestId}/cancel`, status: 403, reason: 'NOT_OWNER' }),
    ]);
  });

  it('separation of duties: an approver never decides on their own request, another approver may', async () => {
    const ada = await as('ada', 'requester', 'approver');
    const own = await http().post('/auth-test/decide').set(ada).send({ requestedBy: subOf(ada) }).expect(403);
    expect(own.body).toEqual({ statusCode: 403, error: 'Forbidden', reason: 'OWN_REQUEST', message: `separation of duties: ${subOf(ada)} requested this and cannot approve or reject it; another approver must decide` });
    const bob = await as('bob', 'approver');
    expect((await http().post('/auth-test/decide').set(bob).send({ requestedBy: subOf(ada) }).expect(201)).body).toEqual({ decidedBy: subOf(bob) });
    expect((await http().post('/auth-test/decide').set(await as('req', 'requester')).send({ requestedBy: 'x' }).expect(403)).body.reason).toBe('MISSING_ROLE');
    expect(await denialsOf(subOf(ada))).toEqual([expect.objectContaining({ principal_kind: 'user', method: 'POST', path: '/auth-test/decide', status: 403, reason: 'OWN_REQUEST' })]);
  });

  it('leaves the probes open and closes a route that declares no roles', async () => {
    await http().get('/health/live').expect(200);
    await http().get('/health/ready').expect(200);
    await http().get('/metrics').expect(200);
    const admin = await as('root', 'admin');
    const closed = await http().get('/auth-test/undeclared').set(admin).expect(403);
    expect(closed.body).toMatchObject({ reason: 'NO_ROLES_DECLARED', message: 'GET /auth-test/undeclared declares no roles, so nobody may call it' });
    expect(await denialsOf(subOf(admin))).toEqual([expect.objectContaining({ status: 403, reason: 'NO_ROLES_DECLARED' })]);
  });
});
