import { randomUUID } from 'node:crypto';

import { ROLES } from '@closeloop/auth';
import type { TestIdentityProvider } from '@closeloop/testing';
import type { INestApplication } from '@nestjs/common';

import { malformedAuthorizations } from './hostile-credentials';
import { type RawResponse, send } from './http-client';
import { type CollectedRoute, collectRoutes, expressRoutes, routeName, undeclaredRoutes } from './routes';

export interface MatrixResult {
  readonly routes: number;
  readonly publicRoutes: readonly string[];
  readonly scrapeRoutes: readonly string[];
  /** Requests with a token: no roles, and each role (refused or let through as declared). */
  readonly roleChecks: number;
  /** Requests without a valid credential: none, expired, signed by an unknown key, malformed or forged. */
  readonly credentialChecks: number;
  readonly failures: readonly string[];
}

export interface MatrixOptions {
  /** The scrape token the app was configured with (METRICS_TOKEN), when it was. */
  readonly metricsToken?: string;
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const brief = (response: RawResponse): string => `${response.status} ${response.text.slice(0, 300)}`;

/** The route with each parameter a fresh UUID: the guard runs before any pipe looks at it. */
const concretePath = (route: CollectedRoute): string => route.path.replace(/:(\w+)/g, () => randomUUID());

/**
 * The route × role matrix of a running app, generated from what Nest registered (see
 * `collectRoutes`): a route that declares no access fails it; each `@Public` route answers
 * without credentials; the scrape route is open, or takes only METRICS_TOKEN; every other route
 * refuses a missing, expired, foreign or malformed credential (alg none, HS256 under the
 * provider's key id, a swapped payload, ...) with 401 (MISSING_CREDENTIALS when none), a
 * token without roles and each role it does not declare with 403 MISSING_ROLE, and lets each role
 * it declares past the guard. Routes Express holds beside the controllers fail it too.
 */
export const runRouteMatrix = async (app: INestApplication, url: string, idp: TestIdentityProvider, options: MatrixOptions = {}): Promise<MatrixResult> => {
  const routes = collectRoutes(app);
  const failures: string[] = undeclaredRoutes(routes).map((r) => `${r}: declares no roles (@Roles), nor @Public(why), nor @ScrapeEndpoint(); the guard closes it, and every route must say who may call it`);
  const known = new Set(routes.map(routeName));
  for (const registered of expressRoutes(app)) {
    if (!known.has(registered)) failures.push(`${registered}: Express answers it, but no controller declares it (the matrix cannot see its roles)`);
  }

  const claims = { sub: `matrix.${randomUUID().slice(0, 8)}@acme.test`, expiresIn: '1h' };
  const bearer = async (roles: readonly string[]) => ({ authorization: `Bearer ${await idp.token({ ...claims, roles })}` });
  const tokens = {
    none: await bearer([]),
    expired: { authorization: `Bearer ${await idp.expiredToken({ ...claims, roles: [...ROLES] })}` },
    foreign: { authorization: `Bearer ${await idp.tokenSignedByUnknownKey({ ...claims, roles: [...ROLES] })}` },
    roles: Object.fromEntries(await Promise.all(ROLES.map(async (role) => [role, await bearer([role])] as const))),
    malformed: await malformedAuthorizations(idp),
  };

  let roleChecks = 0;
  let credentialChecks = 0;
  const publicRoutes: string[] = [];
  const scrapeRoutes: string[] = [];
  for (const route of routes) {
    const name = routeName(route);
    const call = (headers: Record<string, string>) =>
      send(url, { method: route.method, path: concretePath(route), headers: WRITES.has(route.method) ? { ...headers, 'content-type': 'application/json' } : headers, body: WRITES.has(route.method) && route.method !== 'DELETE' ? '{}' : undefined });
    const fail = (what: string, response: RawResponse) => failures.push(`${name}: ${what}, got ${brief(response)}`);
    const { access } = route;

    if (access.kind === 'public') {
      publicRoutes.push(`${name} (${access.why})`);
      const open = await call({});
      credentialChecks++;
      if (open.status === 401 || open.status === 403) fail('a @Public route must answer without credentials', open);
      continue;
    }
    if (access.kind === 'scrape') {
      scrapeRoutes.push(`${name} (${options.metricsToken ? 'METRICS_TOKEN' : 'open: METRICS_TOKEN unset'})`);
      const anonymous = await call({});
      credentialChecks++;
      if (!options.metricsToken) {
        if (anonymous.status !== 200) fail('the scrape route must be open without METRICS_TOKEN', anonymous);
        continue;
      }
      if (anonymous.status !== 401 || anonymous.json?.reason !== 'MISSING_CREDENTIALS') fail('without the scrape token: 401 MISSING_CREDENTIALS', anonymous);
      const wrong = await call({ authorization: `Bearer ${options.metricsToken}x` });
      const person = await call(tokens.roles['admin'] as Record<string, string>);
      const right = await call({ authorization: `Bearer ${options.metricsToken}` });
      credentialChecks += 3;
      if (wrong.status !== 401) fail('with a wrong scrape token: 401', wrong);
      if (person.status !== 401) fail("with a person's token instead of the scrape token: 401", person);
      if (right.status !== 200) fail('with the scrape token: 200', right);
      continue;
    }

    const anonymous = await call({});
    if (anonymous.status !== 401 || anonymous.json?.reason !== 'MISSING_CREDENTIALS') fail('without a credential: 401 MISSING_CREDENTIALS', anonymous);
    const expired = await call(tokens.expired);
    if (expired.status !== 401) fail('with an expired token: 401', expired);
    const foreign = await call(tokens.foreign);
    if (foreign.status !== 401) fail('with a token signed by a key the identity provider does not publish: 401', foreign);
    credentialChecks += 3;
    for (const { label, authorization } of tokens.malformed) {
      const forged = await call({ authorization });
      credentialChecks++;
      if (forged.status !== 401) fail(`with ${label}: 401`, forged);
    }

    const declared: readonly string[] = access.kind === 'roles' ? access.roles : [];
    const noRoles = await call(tokens.none);
    roleChecks++;
    if (noRoles.status !== 403 || noRoles.json?.reason !== (access.kind === 'roles' ? 'MISSING_ROLE' : 'NO_ROLES_DECLARED')) fail('with a token without roles: 403 MISSING_ROLE', noRoles);
    for (const role of ROLES) {
      const response = await call(tokens.roles[role] as Record<string, string>);
      roleChecks++;
      if (declared.includes(role)) {
        const refusedByGuard = response.status === 401 || (response.status === 403 && ['MISSING_ROLE', 'NO_ROLES_DECLARED'].includes(String(response.json?.reason)));
        if (refusedByGuard) fail(`role ${role} is declared, so the guard must let it through`, response);
      } else if (response.status !== 403 || response.json?.reason !== (access.kind === 'roles' ? 'MISSING_ROLE' : 'NO_ROLES_DECLARED')) {
        fail(`role ${role} is not declared (${declared.join(', ') || 'none'}): 403 MISSING_ROLE`, response);
      }
    }
  }
  return { routes: routes.length, publicRoutes, scrapeRoutes, roleChecks, credentialChecks, failures };
};
