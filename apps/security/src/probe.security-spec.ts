import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';

import { accessDenialsMigration, type AuthConfig, authConfigShape, AuthModule, Public, Roles } from '@closeloop/auth';
import { openDatabase } from '@closeloop/database';
import { configureLogging } from '@closeloop/observability';
import { createHttpApp, MetricsController } from '@closeloop/runtime';
import { sql, startTestIdentityProvider, type TestIdentityProvider } from '@closeloop/testing';
import { BadRequestException, Body, Controller, Get, Global, type INestApplication, Module, Post } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { z } from 'zod';

import { hostileIdentities } from './support/hostile-credentials';
import { runHostileInputs } from './support/hostile-runner';
import { sendJson } from './support/http-client';
import { runRouteMatrix } from './support/route-matrix';
import { assertEveryRouteDeclared, collectRoutes, undeclaredRoutes } from './support/routes';
import { SECURITY_DATABASE_URL } from './support/security-database';

/**
 * The matrix catches a route that forgets its roles: a throw-away controller with one, built with
 * the same AuthModule every service gets, and METRICS_TOKEN set (the scrape route's other mode).
 */
@Controller('probe')
class ProbeController {
  @Get('declared')
  @Roles('admin')
  declared() {
    return { ok: true };
  }

  /** What a developer adds and forgets to protect. */
  @Get('forgotten')
  forgotten() {
    return { secret: 'would leak' };
  }

  @Get('open')
  @Public('the probe of the route audit')
  open() {
    return { ok: true };
  }

  /** A bug the hostile inputs must find: a price looked up by a key the caller chose (`constructor` is a function, not a price). */
  @Post('fragile')
  @Roles('admin')
  fragile(@Body() body: { licence?: unknown }) {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadRequestException('the body must be an object');
    const prices: Record<string, number> = { standard: 10 };
    const price = typeof body.licence === 'string' ? prices[body.licence] : undefined;
    if (price !== undefined && typeof price !== 'number') throw new Error(`the price of ${String(body.licence)} is not a number`);
    return { price: price ?? 0 };
  }
}

@Module({})
class ProbeModule {}

const SCHEMA = 'security_probe';
const METRICS_TOKEN = `scrape-${randomBytes(18).toString('hex')}`;

let idp: TestIdentityProvider;
let dataSource: DataSource;
let app: INestApplication;
let url: string;

beforeAll(async () => {
  configureLogging('security-probe', 'fatal'); // the 500s the hostile inputs provoke here are the point // the 500s the hostile inputs provoke here are the point
  idp = await startTestIdentityProvider();
  const config: AuthConfig = { NODE_ENV: 'test', ...z.object(authConfigShape).parse({ ...idp.env, METRICS_TOKEN }) };
  dataSource = await openDatabase({ url: SECURITY_DATABASE_URL, schema: SCHEMA, poolSize: 2, migrations: [accessDenialsMigration(SCHEMA, 1732700000000)], applicationName: 'security-probe' });
  @Global()
  @Module({ providers: [{ provide: DataSource, useValue: dataSource }], exports: [DataSource] })
  class ProbeDatabaseModule {}
  app = await createHttpApp({ module: ProbeModule, imports: [ProbeDatabaseModule, AuthModule.forRoot({ config, service: 'probe', schema: SCHEMA })], controllers: [ProbeController, MetricsController] }, { logger: false });
  await app.listen(0, '127.0.0.1');
  url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
});

afterAll(async () => {
  await app?.close();
  await dataSource?.destroy();
  await idp?.stop();
});

describe('a route that declares no roles', () => {
  it('is reported by name by the route collector, and fails the check every service runs', () => {
    const routes = collectRoutes(app);
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(expect.arrayContaining(['GET /probe/declared', 'GET /probe/forgotten', 'GET /probe/open', 'GET /metrics', 'GET /access-denials']));
    expect(undeclaredRoutes(routes)).toEqual(['GET /probe/forgotten (ProbeController.forgotten)']);
    expect(() => assertEveryRouteDeclared(routes)).toThrow(/GET \/probe\/forgotten/);
  });

  it('fails the route × role matrix, naming it, and nothing else', async () => {
    const result = await runRouteMatrix(app, url, idp, { metricsToken: METRICS_TOKEN });
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]).toMatch(/^GET \/probe\/forgotten \(ProbeController\.forgotten\): declares no roles/);
    expect(result.publicRoutes).toEqual(['GET /probe/open (the probe of the route audit)']);
  });

  it('is closed by the guard all the same: 401 without a credential, 403 NO_ROLES_DECLARED with any role', async () => {
    expect((await sendJson(url, 'GET', '/probe/forgotten')).json).toMatchObject({ statusCode: 401, reason: 'MISSING_CREDENTIALS' });
    const admin = await idp.headers({ sub: 'probe.admin@acme.test', roles: ['admin', 'operator', 'auditor', 'approver', 'requester'] });
    const refused = await sendJson(url, 'GET', '/probe/forgotten', undefined, admin);
    expect(refused.json).toMatchObject({ statusCode: 403, reason: 'NO_ROLES_DECLARED' });
    expect(refused.text).not.toContain('would leak');
    expect((await sendJson(url, 'GET', '/probe/declared', undefined, admin)).status).toBe(200);
  });
});

describe('the audit of refused calls', () => {
  // Refusals recorded: a row each, or counted in a caller's row of the minute once it had its share (libs/auth AccessDenialLog).
  const audited = async () => Number((await sql<{ n: string }>(`SELECT coalesce(sum(count), 0) AS n FROM ${SCHEMA}.access_denials WHERE route = '/probe/declared'`, [], SECURITY_DATABASE_URL))[0]?.n);

  it('records every refusal, also of a caller whose signed token holds a NUL or a lone surrogate in sub', async () => {
    for (const sub of ['plain.audit@acme.test', 'nul\u0000audit@acme.test', 'half\uD800audit@acme.test']) {
      const before = await audited();
      const refused = await sendJson(url, 'GET', '/probe/declared', undefined, await idp.headers({ sub, roles: ['auditor'] }));
      expect([401, 403]).toContain(refused.status);
      expect({ sub, status: refused.status, recorded: (await audited()) - before }).toEqual({ sub, status: refused.status, recorded: 1 });
    }
  });
});

describe('the hostile inputs', () => {
  it("find a route's 5xx and report fast-check's counterexample with its seed", async () => {
    const as = (sub: string, roles: readonly string[]) => idp.headers({ sub, roles });
    const outcome = await runHostileInputs({ name: 'probe', app, url, as, identities: (roles) => hostileIdentities(idp, roles, []) }, { 'POST /probe/fragile': { body: () => ({ licence: 'standard', seats: 1 }) } });
    expect(outcome.routes).toEqual(expect.arrayContaining(['POST /probe/fragile', 'GET /access-denials']));
    expect(outcome.fiveXx).toBeGreaterThan(0);
    expect(outcome.failures).toHaveLength(1);
    expect(outcome.failures[0]).toMatch(/^POST \/probe\/fragile \(ProbeController\.fragile\):/);
    expect(outcome.failures[0]).toMatch(/seed: -?\d+/);
    expect(outcome.failures[0]).toContain('Counterexample');
    expect(outcome.failures[0]).toContain('answered 500');
  });
});

describe('/metrics with METRICS_TOKEN set', () => {
  it("answers only the scraper's token: 401 without it, with a wrong one or a person's token", async () => {
    expect((await sendJson(url, 'GET', '/metrics')).json).toMatchObject({ statusCode: 401, reason: 'MISSING_CREDENTIALS' });
    expect((await sendJson(url, 'GET', '/metrics', undefined, { authorization: `Bearer ${METRICS_TOKEN.slice(0, -1)}` })).status).toBe(401);
    expect((await sendJson(url, 'GET', '/metrics', undefined, await idp.headers({ sub: 'probe.admin@acme.test', roles: ['admin'] }))).status).toBe(401);
    const scraped = await sendJson(url, 'GET', '/metrics', undefined, { authorization: `Bearer ${METRICS_TOKEN}` });
    expect(scraped.status).toBe(200);
    expect(scraped.text).toContain('# HELP');
  });
});
