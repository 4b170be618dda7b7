import { createHash, randomUUID } from 'node:crypto';

import { parseConfig } from '@closeloop/config';
import { createServiceApp } from '@closeloop/runtime';
import { newHireRequest, sql, startTestIdentityProvider, testEnv, type TestIdentityProvider } from '@closeloop/testing';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';

import { AppModule } from '../../src/app.module';
import { IntakeConfigSchema } from '../../src/config/intake.config';

let app: INestApplication;
let idp: TestIdentityProvider;
let admin: { authorization: string };
const ADMIN = `admin-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  idp = await startTestIdentityProvider();
  admin = await idp.headers({ sub: ADMIN, roles: ['admin'] });
  app = await createServiceApp(AppModule.register(parseConfig(IntakeConfigSchema, { ...testEnv(), ...idp.env, PORT: '0', LOG_LEVEL: 'warn' })));
  await app.listen(0, '127.0.0.1');
});

afterAll(async () => {
  await app?.close();
  await idp?.stop();
});

const http = () => request(app.getHttpServer());
const apiKey = (key: string) => ({ authorization: `ApiKey ${key}` });
/** The 43-character secret after `clk_<id>_` (base64url: it may itself contain `_`). */
const secretOf = (key: string) => key.slice('clk_'.length + 16 + 1);
const uniqueName = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
const createKey = async (name: string, roles: string[] = ['requester']) => (await http().post('/api-keys').set(admin).send({ name, roles }).expect(201)).body as { id: string; name: string; key: string };
const denialsOf = (principalId: string | null, path: string, since: Date) =>
  sql<{ principal_kind: string | null; principal_id: string | null; status: number; reason: string; message: string }>(
    'SELECT principal_kind, principal_id, status, reason, message FROM intake.access_denials WHERE path = $1 AND at >= $2 AND principal_id IS NOT DISTINCT FROM $3 ORDER BY id',
    [path, since, principalId],
  );

describe('who is calling: API keys of upstream systems', () => {
  it('an admin creates a key, shown once and stored only as its hash; the upstream system calls with Authorization: ApiKey and becomes the requester', async () => {
    const name = uniqueName('workday-hr');
    const created = await http().post('/api-keys').set(admin).send({ name, roles: ['requester'] }).expect(201);
    const { id, key } = created.body as { id: string; key: string };
    expect(created.body).toEqual({ id, name, roles: ['requester'], key, createdBy: ADMIN, createdAt: expect.any(String), revokedBy: null, revokedAt: null });
    expect(key).toMatch(new RegExp(`^clk_${id}_[A-Za-z0-9_-]{43}$`));

    const [row] = await sql<Record<string, unknown>>('SELECT * FROM intake.api_keys WHERE id = $1', [id]);
    expect(row).toMatchObject({ name, roles: ['requester'], key_hash: `sha256:${createHash('sha256').update(key).digest('hex')}`, created_by: ADMIN });
    const secret = secretOf(key);
    expect(secret).toHaveLength(43);
    expect(await sql('SELECT 1 FROM intake.api_keys k WHERE strpos(row_to_json(k)::text, $1) > 0', [secret])).toHaveLength(0);

    const listed = await http().get('/api-keys').set(admin).expect(200);
    expect(listed.body.items).toEqual(expect.arrayContaining([{ id, name, roles: ['requester'], createdBy: ADMIN, createdAt: expect.any(String), revokedBy: null, revokedAt: null }]));
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    // Newest first, in pages: the key just created heads the first page of one.
    const page = await http().get('/api-keys?limit=1').set(admin).expect(200);
    expect(page.body.items.map((k: { id: string }) => k.id)).toEqual([id]);
    const next = await http().get(`/api-keys?limit=1&after=${page.body.next}`).set(admin).expect(200);
    expect(next.body.items.map((k: { id: string }) => k.id)).not.toContain(id);
    expect((await http().get('/api-keys?limit=501').set(admin).expect(400)).body.message).toContain('limit');

    const submitted = await http().post('/journeys').set(apiKey(key)).send(newHireRequest({ requestedBy: 'whoever' })).expect(202);
    const journey = await http().get(`/journeys/${submitted.body.requestId}`).set(apiKey(key)).expect(200);
    expect(journey.body.requestedBy).toBe(`api-key:${name}`);

    const taken = await http().post('/api-keys').set(admin).send({ name, roles: ['requester'] }).expect(409);
    expect(taken.body.message).toBe(`an active API key named ${name} exists: revoke it first, or choose another name`);
  });

  it('revokes a key at once: the next call is 401 REVOKED_API_KEY; unknown, altered and malformed keys are refused; every refusal is audited', async () => {
    const name = uniqueName('servicenow');
    const { id, key } = await createKey(name);
    await http().post('/journeys').set(apiKey(key)).send(newHireRequest()).expect(202);

    const since = new Date();
    const revoked = await http().delete(`/api-keys/${id}`).set(admin).expect(200);
    expect(revoked.body).toMatchObject({ id, name, revokedBy: ADMIN, revokedAt: expect.any(String) });
    expect((await http().delete(`/api-keys/${id}`).set(admin).expect(200)).body.revokedAt).toBe(revoked.body.revokedAt);

    const refused = await http().post('/journeys').set(apiKey(key)).send(newHireRequest()).expect(401);
    expect(refused.body).toEqual({ statusCode: 401, error: 'Unauthorized', reason: 'REVOKED_API_KEY', message: `API key ${id} (${name}) was revoked at ${revoked.body.revokedAt}` });
    expect(refused.headers['www-authenticate']).toContain('ApiKey realm="closeloop-intake"');

    const altered = `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`;
    expect((await http().post('/journeys').set(apiKey(altered)).send(newHireRequest()).expect(401)).body).toMatchObject({ reason: 'UNKNOWN_API_KEY', message: `API key ${id} is not recognised` });
    const unknownId = `clk_${'f'.repeat(16)}_${secretOf(key)}`;
    expect((await http().post('/journeys').set(apiKey(unknownId)).send(newHireRequest()).expect(401)).body.reason).toBe('UNKNOWN_API_KEY');
    expect((await http().post('/journeys').set(apiKey('not-a-key')).send(newHireRequest()).expect(401)).body).toMatchObject({
      reason: 'MALFORMED_AUTHORIZATION',
      message: 'API key is not in the form clk_<16 hex digits>_<43 characters>',
    });

    expect(await denialsOf(`api-key:${name}`, '/journeys', since)).toEqual([expect.objectContaining({ principal_kind: 'api-key', status: 401, reason: 'REVOKED_API_KEY' })]);
    expect((await denialsOf(null, '/journeys', since)).map((r) => r.reason)).toEqual(['UNKNOWN_API_KEY', 'UNKNOWN_API_KEY', 'MALFORMED_AUTHORIZATION']);
    const stored = JSON.stringify(await sql('SELECT * FROM intake.access_denials WHERE at >= $1', [since]));
    expect(stored).not.toContain(secretOf(key));

    // The name is free again once its key is revoked.
    await createKey(name);
    await http().delete(`/api-keys/${'0'.repeat(16)}`).set(admin).expect(404);
    expect((await http().delete('/api-keys/nope').set(admin).expect(400)).body.message).toBe('API key id must be 16 hexadecimal digits (the part after clk_)');
  });

  it('keeps key administration to admins: neither requesters nor keys may mint keys, and keys never carry approver or admin', async () => {
    const since = new Date();
    const requester = await idp.headers({ sub: uniqueName('req'), roles: ['requester', 'operator', 'auditor', 'approver'] });
    expect((await http().post('/api-keys').set(requester).send({ name: uniqueName('x'), roles: ['requester'] }).expect(403)).body.reason).toBe('MISSING_ROLE');
    const { key, name } = await createKey(uniqueName('ops-bot'), ['operator', 'auditor']);
    const byKey = await http().post('/api-keys').set(apiKey(key)).send({ name: uniqueName('y'), roles: ['requester'] }).expect(403);
    expect(byKey.body.message).toBe(`missing role admin for POST /api-keys (api-key:${name} has operator, auditor)`);
    expect(await denialsOf(`api-key:${name}`, '/api-keys', since)).toEqual([expect.objectContaining({ principal_kind: 'api-key', status: 403, reason: 'MISSING_ROLE' })]);
    // An operator key may not start journeys either: that is the requester role.
    expect((await http().post('/journeys').set(apiKey(key)).send(newHireRequest()).expect(403)).body.reason).toBe('MISSING_ROLE');

    const bad = await http().post('/api-keys').set(admin).send({ name: 'Bad Name', roles: ['approver'] }).expect(400);
    expect(bad.body.issues.map((i: { field: string }) => i.field).sort()).toEqual(['name', 'roles']);
    expect(bad.body.message).toContain('an API key may carry only requester, operator, auditor');
    expect((await http().post('/api-keys').set(admin).send({ name: uniqueName('z'), roles: ['admin'] }).expect(400)).body.issues[0].field).toBe('roles');
  });

  it('lets auditors and admins read the access denials, newest first and in pages, and nobody else', async () => {
    const intruder = uniqueName('mallory');
    const mallory = await idp.headers({ sub: intruder, roles: ['requester'] });
    await http().get('/api-keys').set(mallory).expect(403);
    await http().get('/access-denials').set(mallory).expect(403);

    const auditor = await idp.headers({ sub: uniqueName('audrey'), roles: ['auditor'] });
    const page = await http().get(`/access-denials?principal=${intruder}&limit=1`).set(auditor).expect(200);
    expect(page.body.items).toEqual([
      { id: expect.any(String), at: expect.any(String), lastAt: null, count: 1, principalKind: 'user', principalId: intruder, method: 'GET', path: '/access-denials', status: 403, reason: 'MISSING_ROLE', message: `missing role auditor or admin for GET /access-denials (${intruder} has requester)`, sourceIp: expect.any(String) },
    ]);
    const next = await http().get(`/access-denials?principal=${intruder}&limit=1&before=${page.body.nextBefore}`).set(admin).expect(200);
    expect(next.body.items).toEqual([expect.objectContaining({ path: '/api-keys', reason: 'MISSING_ROLE' })]);
    expect((await http().get(`/access-denials?principal=${intruder}&reason=MISSING_ROLE`).set(auditor).expect(200)).body.items).toHaveLength(2);
    expect((await http().get('/access-denials?limit=0').set(auditor).expect(400)).body.message).toContain('limit');
    expect((await http().get('/access-denials?secret=1').set(auditor).expect(400)).body.message).toContain('secret');
  });
});
