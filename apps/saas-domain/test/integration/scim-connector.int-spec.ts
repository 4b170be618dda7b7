import 'reflect-metadata';

import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { parseConfig } from '@closeloop/config';
import { openDatabase } from '@closeloop/database';
import { RetryableError } from '@closeloop/messaging';
import { COMMON_CONFIG, SimulatorModule } from '@closeloop/runtime';
import { eventually, sql, testEnv } from '@closeloop/testing';
import { type DynamicModule, Global, type INestApplication, Module } from '@nestjs/common';
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import { DataSource } from 'typeorm';

import { type SaasConfig, SaasConfigSchema } from '../../src/config/saas.config';
import { CreateScimSimulator1732286000000 } from '../../src/migrations/1732286000000-create-scim-simulator';
import { SAAS_ADMIN_CONNECTOR, type SaasAdminConnector, SaasAdminRejectedError, SaasAdminUnavailableError } from '../../src/saas-admin/saas-admin.connector';
import { ScimSaasAdminConnector } from '../../src/saas-admin/scim-saas-admin.connector';
import { ScimSimulatorModule } from '../../src/scim-simulator/scim-simulator.module';

/**
 * The SCIM connector against the SCIM simulator over real HTTP, with the simulator persisted in
 * PostgreSQL: the simulator module and the connector, as the saas-domain app wires them, in an
 * app of their own (no Kafka needed) listening on a free port.
 */
const TOKEN = 'integration-simulator-token';
const config: SaasConfig = parseConfig(SaasConfigSchema, { ...testEnv(), PORT: '0', LOG_LEVEL: 'warn', SAAS_SCIM_SIMULATOR_TOKEN: TOKEN });

@Global()
@Module({})
class TestInfrastructureModule {
  static register(): DynamicModule {
    return {
      module: TestInfrastructureModule,
      providers: [
        {
          provide: DataSource,
          useFactory: () =>
            openDatabase({ url: config.DATABASE_URL, schema: 'saas', poolSize: 5, migrations: [CreateScimSimulator1732286000000], applicationName: 'saas-scim-int' }),
        },
        { provide: COMMON_CONFIG, useValue: config },
      ],
      exports: [DataSource, COMMON_CONFIG],
    };
  }
}

@Module({})
class ScimTestModule {
  static register(): DynamicModule {
    return {
      module: ScimTestModule,
      imports: [
        TestInfrastructureModule.register(),
        SimulatorModule.register(config.SIMULATOR_FAULTS, { provide: SAAS_ADMIN_CONNECTOR, useClass: ScimSaasAdminConnector }),
        ScimSimulatorModule.register({ token: TOKEN }),
      ],
    };
  }
}

/** Every SCIM request the simulator received: app, method, path, status, and how many of the app's requests were in flight at once. */
interface Seen {
  readonly app: string;
  readonly method: string;
  readonly path: string;
  status?: number;
}
const seen: Seen[] = [];
const inFlight = new Map<string, number>();
const peak = new Map<string, number>();
const observe = (req: Request, res: Response, next: NextFunction): void => {
  const match = /^\/simulator\/scim\/([^/]+)\/v2(\/[^?]*)?/.exec(req.originalUrl);
  if (!match?.[1]) return next();
  const app = match[1];
  const entry: Seen = { app, method: req.method, path: match[2] ?? '/' };
  seen.push(entry);
  inFlight.set(app, (inFlight.get(app) ?? 0) + 1);
  peak.set(app, Math.max(peak.get(app) ?? 0, inFlight.get(app) ?? 0));
  res.on('finish', () => {
    entry.status = res.statusCode;
    inFlight.set(app, (inFlight.get(app) ?? 1) - 1);
  });
  next();
};

let app: INestApplication;
let base: string;
let saas: SaasAdminConnector;

const faults = async (settings: object): Promise<void> => {
  const response = await fetch(`${base}/simulator/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(settings) });
  expect(response.status).toBe(200);
};

/** A connector with targets of its own (SAAS_SCIM_TARGETS), all pointing at this simulator. */
const connectorWith = (targets: Record<string, object>): SaasAdminConnector =>
  new ScimSaasAdminConnector(
    parseConfig(SaasConfigSchema, {
      ...testEnv(),
      SAAS_SCIM_SIMULATOR_TOKEN: TOKEN,
      SAAS_SCIM_TARGETS: JSON.stringify(Object.fromEntries(Object.entries(targets).map(([name, t]) => [name, { baseUrl: `${base}/simulator/scim/{app}/v2`, token: TOKEN, ...t }]))),
    }),
    app.get(HttpAdapterHost),
  );

const scim = async (appName: string, path: string, init: RequestInit = {}) => {
  const response = await fetch(`${base}/simulator/scim/${appName}/v2${path}`, { ...init, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json', ...init.headers } });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> & { Resources?: Array<Record<string, unknown>> } };
};

const employee = () => {
  const employeeId = `E-${randomUUID().slice(0, 8)}`;
  return { employeeId, accountId: `u-${employeeId}` };
};

const requestsFor = (appName: string) => seen.filter((s) => s.app === appName);
/** App names of this run: the simulator's data outlives it. */
const RUN = randomUUID().slice(0, 6);
const appOfRun = (name: string) => `${name}-${RUN}`;

beforeAll(async () => {
  app = await NestFactory.create(ScimTestModule.register(), { logger: false });
  app.use(observe);
  await app.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  saas = app.get(SAAS_ADMIN_CONNECTOR);
});

afterAll(async () => {
  const dataSource = app?.get(DataSource);
  await app?.close();
  await dataSource?.destroy();
});

afterEach(async () => {
  await faults({});
});

describe('the SCIM simulator', () => {
  it('serves the discovery endpoints from the library, with the seat licence extension', async () => {
    const config = await scim('asana', '/ServiceProviderConfig');
    expect(config.status).toBe(200);
    expect(config.body).toMatchObject({ patch: { supported: true }, filter: { supported: true }, authenticationSchemes: [{ type: 'oauthbearertoken' }] });
    const types = await scim('asana', '/ResourceTypes');
    expect(types.body.Resources?.map((r) => r['name'])).toEqual(['User', 'Group']);
    expect(types.body.Resources?.[0]).toMatchObject({
      endpoint: '/Users',
      schemaExtensions: [{ schema: 'urn:ietf:params:scim:schemas:extension:closeloop:licensing:2.0:User', required: false }],
      meta: { location: `${base}/simulator/scim/asana/v2/ResourceTypes/User` },
    });
    const schemas = await scim('asana', '/Schemas');
    expect(schemas.body.Resources?.map((r) => r['id'])).toEqual(
      expect.arrayContaining(['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:core:2.0:Group', 'urn:ietf:params:scim:schemas:extension:closeloop:licensing:2.0:User']),
    );
  });

  it('answers errors as SCIM errors (RFC 7644 §3.12) and wants the bearer token', async () => {
    const anonymous = await fetch(`${base}/simulator/scim/asana/v2/Users`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="closeloop-saas-simulator"');
    expect(await anonymous.json()).toEqual({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '401', detail: 'a bearer token is required: Authorization: Bearer <token>' });
    const wrong = await scim('asana', '/Users', { headers: { authorization: 'Bearer nope' } });
    expect(wrong).toMatchObject({ status: 401, body: { detail: 'the bearer token is not valid for this SCIM service' } });
    expect(await scim('asana', `/Users/${randomUUID()}`)).toMatchObject({ status: 404, body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '404' } });
    expect(await scim('asana', '/Users?filter=userName%20zz%20((')).toMatchObject({ status: 400, body: { scimType: 'invalidFilter' } });
    const taken = employee();
    const body = JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: taken.accountId });
    expect((await scim('asana', '/Users', { method: 'POST', body })).status).toBe(201);
    expect(await scim('asana', '/Users', { method: 'POST', body: body.replace(taken.accountId, taken.accountId.toUpperCase()) })).toMatchObject({
      status: 409,
      body: { scimType: 'uniqueness', detail: `userName "${taken.accountId.toUpperCase()}" is already taken in asana` },
    });
    expect(await scim('asana', '/Users', { method: 'POST', body: '{"userName":' })).toMatchObject({ status: 400, body: { status: '400', scimType: 'invalidSyntax' } });
    expect(await scim('Not_An_App', '/Users')).toMatchObject({ status: 404, body: { detail: 'no such app: app names are lower-case letters, digits and dashes' } });
  });

  it('keeps each app apart', async () => {
    const { employeeId, accountId } = employee();
    await saas.ensureAccess('asana', accountId, 'member', employeeId);
    expect(await saas.readAccess('slack', accountId)).toBeNull();
    const found = await scim('slack', `/Users?filter=${encodeURIComponent(`userName eq "${accountId}"`)}`);
    expect(found.body['totalResults']).toBe(0);
  });
});

describe('the SCIM connector', () => {
  it('provisions a user with its role, group and licence, and reads them back', async () => {
    const { employeeId, accountId } = employee();
    await saas.ensureAccess('asana', accountId, 'member', employeeId);
    await saas.ensureLicence('asana', accountId, 'pro', employeeId);
    expect(await saas.readAccess('asana', accountId)).toEqual({ app: 'asana', accountId, role: 'member', active: true, licence: 'pro', groups: ['member'] });

    // What the SaaS admin tool holds, read with plain SCIM requests.
    const found = await scim('asana', `/Users?filter=${encodeURIComponent(`externalId eq "${employeeId}"`)}`);
    expect(found.body.Resources).toHaveLength(1);
    const user = found.body.Resources?.[0] as Record<string, unknown>;
    expect(user).toMatchObject({
      userName: accountId,
      externalId: employeeId,
      active: true,
      roles: [{ value: 'member', primary: true }],
      entitlements: [{ value: 'pro', type: 'licence', primary: true }],
      groups: [{ display: 'member', type: 'direct' }],
      meta: { resourceType: 'User', location: `${base}/simulator/scim/asana/v2/Users/${String(user['id'])}` },
    });
    const group = await scim('asana', `/Groups?filter=${encodeURIComponent('displayName eq "member"')}`);
    expect((group.body.Resources?.[0]?.['members'] as Array<{ value: string }>).map((m) => m.value)).toContain(user['id']);
    const requests = seen.filter((s) => s.app === 'asana').map((s) => `${s.method} ${s.path.replace(/[0-9a-f-]{36}/g, '{id}')}`);
    expect(requests).toEqual(expect.arrayContaining(['GET /Users', 'POST /Users', 'PATCH /Groups/{id}', 'PATCH /Users/{id}', 'GET /Users/{id}']));
  });

  it('is idempotent, and moves the user between role groups when the role changes', async () => {
    const { employeeId, accountId } = employee();
    for (let i = 0; i < 2; i++) {
      await saas.ensureAccess('asana', accountId, 'member', employeeId);
      await saas.ensureLicence('asana', accountId, 'standard', employeeId);
    }
    expect(await sql('SELECT 1 FROM saas.sim_scim_users WHERE app = $1 AND user_name = $2', ['asana', accountId])).toHaveLength(1);
    await saas.ensureAccess('asana', accountId, 'admin', employeeId);
    await saas.ensureLicence('asana', accountId, 'enterprise', employeeId);
    expect(await saas.readAccess('asana', accountId)).toEqual({ app: 'asana', accountId, role: 'admin', active: true, licence: 'enterprise', groups: ['admin'] });
    const memberships = await sql<{ display_name: string }>(
      `SELECT g.display_name FROM saas.sim_scim_group_members m JOIN saas.sim_scim_groups g ON g.app = m.app AND g.id = m.group_id
       JOIN saas.sim_scim_users u ON u.app = m.app AND u.id = m.user_id WHERE u.app = 'asana' AND u.user_name = $1`,
      [accountId],
    );
    expect(memberships.map((m) => m.display_name)).toEqual(['admin']);
  });

  it('revokes with DELETE: the read-back finds no user, and revoking again changes nothing', async () => {
    const { employeeId, accountId } = employee();
    await saas.ensureAccess('slack', accountId, 'member', employeeId);
    await saas.ensureLicence('slack', accountId, 'pro', employeeId);
    await saas.revokeAccess('slack', accountId, employeeId);
    expect(await saas.readAccess('slack', accountId)).toBeNull();
    await saas.revokeAccess('slack', accountId, employeeId);
    expect(await sql('SELECT 1 FROM saas.sim_scim_users WHERE app = $1 AND user_name = $2', ['slack', accountId])).toHaveLength(0);
    expect(requestsFor('slack').some((s) => s.method === 'DELETE' && s.status === 204)).toBe(true);
  });

  it("takes an employee's whole access back in one PATCH of the user and one per group, and gives exactly that back", async () => {
    const { employeeId, accountId } = employee();
    const leaverApp = appOfRun('leaver');
    await saas.ensureAccess(leaverApp, accountId, 'member', employeeId);
    await saas.ensureLicence(leaverApp, accountId, 'pro', employeeId);
    await saas.ensureSeats(leaverApp, accountId, 'organization', 2, employeeId);
    const before = await saas.findEmployeeUser(leaverApp, { employeeId, email: `${employeeId.toLowerCase()}@acme.test` });
    expect(before).toMatchObject({
      accountId,
      active: true,
      roles: ['member'],
      entitlements: [{ value: 'pro', type: 'licence' }],
      seats: { licenceType: 'organization', seats: 2 },
      groups: [{ name: 'member' }],
    });
    const writesFrom = (mark: number) => seen.slice(mark).filter((s) => s.method !== 'GET').map((s) => `${s.method} ${s.path.replace(/[0-9a-f-]{36}/g, '{id}')}`);

    let mark = seen.length;
    await saas.setUserAccess(leaverApp, accountId, { active: false, roles: [], entitlements: [], seats: null, groups: [] }, employeeId);
    expect(writesFrom(mark)).toEqual(['PATCH /Users/{id}', 'PATCH /Groups/{id}']);
    expect(await saas.readUser(leaverApp, accountId)).toEqual({ app: leaverApp, accountId, active: false, roles: [], entitlements: [], seats: null, groups: [] });

    await saas.setUserAccess(leaverApp, accountId, before as NonNullable<typeof before>, employeeId);
    expect(await saas.readUser(leaverApp, accountId)).toEqual(before);
    mark = seen.length;
    await saas.setUserAccess(leaverApp, accountId, before as NonNullable<typeof before>, employeeId);
    expect(writesFrom(mark)).toEqual([]);
  });

  it("finds an employee's user made without the employee id by its email, never one carrying another employee's id", async () => {
    const { employeeId } = employee();
    const other = employee();
    const email = `${employeeId.toLowerCase()}@acme.test`;
    const byHand = appOfRun('by-hand');
    const user = (fields: object) => ({ method: 'POST', body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], active: true, ...fields }) });
    expect((await scim(byHand, '/Users', user({ userName: email }))).status).toBe(201);
    expect(await saas.findEmployeeUser(byHand, { employeeId, email })).toMatchObject({ app: byHand, accountId: email, active: true });
    const otherEmail = `${other.employeeId.toLowerCase()}@acme.test`;
    expect((await scim(byHand, '/Users', user({ userName: otherEmail, externalId: 'E-someone-else' }))).status).toBe(201);
    expect(await saas.findEmployeeUser(byHand, { employeeId: other.employeeId, email: otherEmail })).toBeNull();
  });

  it('grants the role without groups to an app configured without them', async () => {
    const { employeeId, accountId } = employee();
    const noGroups = appOfRun('no-groups');
    await connectorWith({ [noGroups]: { roleGroups: false } }).ensureAccess(noGroups, accountId, 'member', employeeId);
    expect(await saas.readAccess(noGroups, accountId)).toMatchObject({ role: 'member', active: true, groups: [] });
    expect(requestsFor(noGroups).filter((s) => s.path.startsWith('/Groups'))).toEqual([]);
  });

  it('revokes a user whose remembered id went stale', async () => {
    const { employeeId, accountId } = employee();
    await saas.ensureAccess('asana', accountId, 'member', employeeId);
    const [row] = await sql<{ id: string }>('SELECT id FROM saas.sim_scim_users WHERE app = $1 AND user_name = $2', ['asana', accountId]);
    // Someone deletes the user and makes it again, behind the connector's back: a new id.
    expect((await scim('asana', `/Users/${String(row?.id)}`, { method: 'DELETE' })).status).toBe(204);
    const again = await scim('asana', '/Users', { method: 'POST', body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: accountId, externalId: employeeId }) });
    expect(again.status).toBe(201);
    await saas.revokeAccess('asana', accountId, employeeId);
    expect(await saas.readAccess('asana', accountId)).toBeNull();
  });

  it('assigns, reads back and removes seat licences', async () => {
    const { employeeId, accountId } = employee();
    await saas.ensureAccess('figma', accountId, 'member', employeeId);
    expect(await saas.readSeats('figma', accountId)).toBeNull();
    await saas.ensureSeats('figma', accountId, 'organization', 5, employeeId);
    await saas.ensureSeats('figma', accountId, 'organization', 5, employeeId);
    expect(await saas.readSeats('figma', accountId)).toEqual({ licenceType: 'organization', seats: 5, active: true });
    await saas.ensureSeats('figma', accountId, 'enterprise', 8, employeeId);
    expect(await saas.readSeats('figma', accountId)).toEqual({ licenceType: 'enterprise', seats: 8, active: true });
    await saas.removeSeats('figma', accountId, employeeId);
    await saas.removeSeats('figma', accountId, employeeId);
    expect(await saas.readSeats('figma', accountId)).toBeNull();
    expect(await saas.readAccess('figma', accountId)).toMatchObject({ active: true, role: 'member' });
    const stranger = employee();
    await expect(saas.ensureSeats('figma', stranger.accountId, 'organization', 1, stranger.employeeId)).rejects.toThrow(
      new SaasAdminRejectedError(`figma has no user ${stranger.accountId} to assign 1 organization seats`),
    );
  });

  it('waits out a 429 with its Retry-After, then succeeds', async () => {
    const { employeeId, accountId } = employee();
    const throttled = appOfRun('throttled');
    await faults({ rateLimitedCalls: 2, retryAfterSeconds: 1, onlyFor: [employeeId] });
    await saas.ensureAccess(throttled, accountId, 'member', employeeId);
    expect(await saas.readAccess(throttled, accountId)).toMatchObject({ active: true, role: 'member' });
    expect(requestsFor(throttled).map((s) => `${s.method} ${s.status}`)).toEqual(['GET 200', 'POST 429', 'POST 429', 'POST 201', 'GET 200', 'POST 201', 'PATCH 204', 'GET 200']);
  });

  it('waits out a 503 with its Retry-After, then succeeds', async () => {
    const { employeeId, accountId } = employee();
    await saas.ensureAccess('flaky', accountId, 'member', employeeId);
    await faults({ unavailableCalls: 1, retryAfterSeconds: 1, onlyFor: [employeeId] });
    await saas.ensureLicence('flaky', accountId, 'pro', employeeId);
    expect(await saas.readAccess('flaky', accountId)).toMatchObject({ licence: 'pro' });
    const patches = requestsFor('flaky').filter((s) => s.method === 'PATCH' && s.path.startsWith('/Users/'));
    expect(patches.map((s) => s.status)).toEqual([503, 200]);
  });

  it('gives up at once, retryable, when the target asks to wait longer than the connector waits', async () => {
    const { employeeId, accountId } = employee();
    const busy = appOfRun('busy');
    await saas.ensureAccess(busy, accountId, 'member', employeeId);
    await faults({ rateLimitedCalls: 1, retryAfterSeconds: 120, onlyFor: [employeeId] });
    const error = await saas.ensureLicence(busy, accountId, 'pro', employeeId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SaasAdminUnavailableError);
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as Error).message).toContain('answered 429 with Retry-After 120, longer than the 10000 ms the connector waits');
    // The pause the target asked for holds for every later call to it: none is sent.
    const before = requestsFor(busy).length;
    await expect(saas.readAccess(busy, accountId)).rejects.toThrow(/not sent: the target asked for a pause of \d+ ms more/);
    expect(requestsFor(busy)).toHaveLength(before);
  });

  it('reports a refusal as a terminal failure with the target’s own message', async () => {
    const { employeeId, accountId } = employee();
    await faults({ failProvisioning: true, onlyFor: [employeeId] });
    const error = await saas.ensureAccess('asana', accountId, 'member', employeeId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SaasAdminRejectedError);
    expect(error).not.toBeInstanceOf(RetryableError);
    expect((error as Error).message).toBe(`asana refused to create user ${accountId} (403): asana refused the change for ${accountId}: simulated provisioning fault`);
    expect(await saas.readAccess('asana', accountId)).toBeNull();
  });

  it('reports a wrong token as a terminal failure with the target’s message', async () => {
    const { employeeId, accountId } = employee();
    const misconfigured = connectorWith({ asana: { token: 'not-the-token' } });
    await expect(misconfigured.ensureAccess('asana', accountId, 'member', employeeId)).rejects.toThrow(
      new SaasAdminRejectedError('asana refused to search users (401): the bearer token is not valid for this SCIM service'),
    );
  });

  it('does not repeat a create that timed out (retryable); the next attempt finds what it did', async () => {
    const { employeeId, accountId } = employee();
    const impatient = connectorWith({ asana: { timeoutMs: 300 } });
    await faults({ latencyMs: 1500, onlyFor: [employeeId] });
    const error = await impatient.ensureAccess('asana', accountId, 'member', employeeId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SaasAdminUnavailableError);
    expect((error as Error).message).toBe(`asana could not create user ${accountId}: asana SCIM: POST /Users no answer within 300 ms; not repeated, the request is not safe to repeat`);
    await faults({});
    // The simulator carried the create out after the connector stopped waiting.
    await eventually(async () => expect(await saas.readAccess('asana', accountId)).not.toBeNull());
    await impatient.ensureAccess('asana', accountId, 'member', employeeId);
    expect(await sql('SELECT 1 FROM saas.sim_scim_users WHERE app = $1 AND user_name = $2', ['asana', accountId])).toHaveLength(1);
    expect(await impatient.readAccess('asana', accountId)).toMatchObject({ active: true, role: 'member', groups: ['member'] });
  });

  it('repeats a read that timed out, and gives up retryable when it keeps timing out', async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const connector = new ScimSaasAdminConnector(
        parseConfig(SaasConfigSchema, {
          ...testEnv(),
          SAAS_SCIM_TARGETS: JSON.stringify({ silent: { baseUrl: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/scim/v2`, token: 't', timeoutMs: 100, maxAttempts: 3, backoffMs: 10 } }),
        }),
        app.get(HttpAdapterHost),
      );
      const error = await connector.readAccess('silent', 'u-1').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SaasAdminUnavailableError);
      expect((error as Error).message).toBe('silent could not search users: silent SCIM: GET /Users no answer within 100 ms (3 attempts)');
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('catches a licence the target acknowledged but did not store (readBackDisagrees)', async () => {
    const { employeeId, accountId } = employee();
    await saas.ensureAccess('asana', accountId, 'member', employeeId);
    await faults({ readBackDisagrees: true, onlyFor: [employeeId] });
    await saas.ensureLicence('asana', accountId, 'pro', employeeId);
    await saas.ensureSeats('asana', accountId, 'business', 3, employeeId);
    expect(await saas.readAccess('asana', accountId)).toMatchObject({ active: true, role: 'member', licence: null });
    expect(await saas.readSeats('asana', accountId)).toBeNull();
    const [row] = await sql<{ resource: Record<string, unknown> }>('SELECT resource FROM saas.sim_scim_users WHERE app = $1 AND user_name = $2', ['asana', accountId]);
    expect(row?.resource['entitlements']).toBeUndefined();
  });

  it('keeps each target within its concurrency limit', async () => {
    const limited = connectorWith({ 'one-at-a-time': { maxConcurrent: 1, ratePerSecond: 1000 }, 'three-at-a-time': { maxConcurrent: 3, ratePerSecond: 1000 } });
    await faults({ latencyMs: 200 });
    const people = Array.from({ length: 3 }, employee);
    await Promise.all(
      ['one-at-a-time', 'three-at-a-time'].flatMap((target) => people.map((p) => limited.ensureAccess(target, p.accountId, 'member', p.employeeId))),
    );
    expect(peak.get('one-at-a-time')).toBe(1);
    expect(peak.get('three-at-a-time')).toBeGreaterThan(1);
    expect(peak.get('three-at-a-time')).toBeLessThanOrEqual(3);
    for (const p of people) expect(await limited.readAccess('one-at-a-time', p.accountId)).toMatchObject({ active: true });
  });

  it('keeps each target within its rate, without holding up other targets', async () => {
    const limited = connectorWith({ 'two-per-second': { ratePerSecond: 2 }, unlimited: { ratePerSecond: 1000 } });
    const slow = Array.from({ length: 2 }, () => limited.readAccess('two-per-second', employee().accountId));
    await eventually(() => expect(requestsFor('two-per-second')).toHaveLength(1), 5000, 10);
    for (let i = 0; i < 3; i++) await limited.readAccess('unlimited', employee().accountId);
    await Promise.all(slow);
    const order = seen.filter((s) => s.app === 'two-per-second' || s.app === 'unlimited').map((s) => s.app);
    expect(order).toEqual(['two-per-second', 'unlimited', 'unlimited', 'unlimited', 'two-per-second']);
  });
});
