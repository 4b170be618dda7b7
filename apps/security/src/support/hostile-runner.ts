import { createHash } from 'node:crypto';

import type { INestApplication } from '@nestjs/common';
import fc from 'fast-check';

import type { LabelledAuthorization } from './hostile-credentials';
import { hostileReadRequests, type HostileRequest, hostileWriteRequests, type RouteSample } from './hostile-requests';
import { send } from './http-client';
import { type CollectedRoute, collectRoutes, routeName } from './routes';
import { APPROVER_GROUPS } from './service-context';
import { sweepRequests } from './sweep';

/** What the hostile inputs are sent to: a running app, and tokens of its identity provider. */
export interface HostileTarget {
  readonly name: string;
  readonly app: INestApplication;
  readonly url: string;
  as(sub: string, roles: readonly string[], groups?: readonly string[]): Promise<Record<string, string>>;
  /** Tokens with hostile claims (see `hostileIdentities`) for these roles. */
  identities(roles: readonly string[]): Promise<LabelledAuthorization[]>;
}

export interface HostileOutcome {
  readonly routes: string[];
  sent: number;
  /** Sent requests that could not be valid anywhere, so had to be answered 4xx. */
  mustRefuse: number;
  fiveXx: number;
  /** Answered 2xx or 3xx: a mutation that stayed valid. */
  accepted: number;
  readonly failures: string[];
}

/** Runs per write route (POST, PUT, PATCH, DELETE) and per read route with path parameters or a query. */
export const WRITE_RUNS = 300;
export const READ_RUNS = 100;
/** The stage's seed; each route's is derived from it and the route, and printed by fast-check on failure. */
const SEED = 20260101;

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const seedOf = (route: CollectedRoute): number => (SEED ^ createHash('sha256').update(routeName(route)).digest().readInt32BE(0)) | 0;

/**
 * One route under fast-check: the sweep (see `sweepRequests`) first, then `numRuns` random
 * requests. Each is sent with a token holding the route's roles (and every approver group)
 * unless it brings its own, and must never be answered 5xx; a request that cannot be valid
 * anywhere (NUL, lone surrogate, too deep, too large, not JSON, wrong content type, a parameter
 * that does not decode) must be answered 4xx.
 */
const attack = async (
  target: HostileTarget,
  route: CollectedRoute,
  sample: RouteSample,
  requests: fc.Arbitrary<HostileRequest>,
  numRuns: number,
  outcome: HostileOutcome,
  credentials?: Record<string, string>,
): Promise<void> => {
  const roles = route.access.kind === 'roles' ? route.access.roles : [];
  const auth = credentials ?? (roles.length > 0 ? await target.as(`hostile.${target.name}@acme.test`, roles, APPROVER_GROUPS) : {});
  const sweep = sweepRequests(route, sample, roles.length > 0 && !credentials ? await target.identities(roles) : []);
  const property = fc.asyncProperty(requests, async (req) => {
    const response = await send(target.url, {
      method: req.method,
      path: req.path,
      headers: { ...auth, ...req.headers, ...(req.contentType === undefined ? {} : { 'content-type': req.contentType }) },
      body: req.body,
    });
    outcome.sent++;
    if (req.mustRefuse !== null) outcome.mustRefuse++;
    if (response.status >= 500) {
      outcome.fiveXx++;
      throw new Error(`answered ${response.status}: ${response.text.slice(0, 500)}`);
    }
    if (req.mustRefuse !== null && (response.status < 400 || response.status >= 500)) {
      throw new Error(`answered ${response.status} to ${req.mustRefuse}, which must be refused with a 4xx: ${response.text.slice(0, 300)}`);
    }
    if (response.status < 400) outcome.accepted++;
  });
  // The sweep first (fixed examples), then numRuns random requests.
  const details = await fc.check(property, { numRuns: numRuns + sweep.length, seed: seedOf(route), includeErrorInReport: true, examples: sweep.map((request) => [request] as [HostileRequest]) });
  if (details.failed) outcome.failures.push(`${routeName(route)} (${route.controller}.${route.handler}):\n${fc.defaultReportMessage(details)}`);
};

/**
 * Hostile input for every route of the service that takes input: ≥ 300 generated requests per
 * write route, ≥ 100 per read route with path parameters or a query string. `samples` gives the
 * valid body (and ids that exist) each route's mutations start from; a write route reading a
 * body without a sample fails the run, naming it.
 */
export const runHostileInputs = async (target: HostileTarget, samples: Readonly<Record<string, RouteSample>>): Promise<HostileOutcome> => {
  const outcome: HostileOutcome = { routes: [], sent: 0, mustRefuse: 0, fiveXx: 0, accepted: 0, failures: [] };
  for (const route of collectRoutes(target.app)) {
    if (route.access.kind !== 'roles') continue; // the probes and /metrics take no input; undeclared routes fail the matrix
    const name = routeName(route);
    const sample = samples[name] ?? {};
    if (WRITES.has(route.method)) {
      if (route.takesBody && !sample.body) {
        outcome.failures.push(`${name}: reads a body but the security stage has no valid sample of it: add one to the service's samples`);
        continue;
      }
      outcome.routes.push(name);
      await attack(target, route, sample, hostileWriteRequests(route, sample), WRITE_RUNS, outcome);
    } else if (route.params.length > 0 || route.takesQuery) {
      outcome.routes.push(name);
      await attack(target, route, sample, hostileReadRequests(route, sample), READ_RUNS, outcome);
    }
  }
  return outcome;
};

/**
 * Hostile input for routes mounted beside the controllers (the SCIM simulator's), which the route
 * collector cannot see: described by hand, sent with the credentials they take.
 */
export const runHostileInputsOn = async (target: HostileTarget, routes: ReadonlyArray<{ route: CollectedRoute; sample: RouteSample }>, credentials: Record<string, string>): Promise<HostileOutcome> => {
  const outcome: HostileOutcome = { routes: [], sent: 0, mustRefuse: 0, fiveXx: 0, accepted: 0, failures: [] };
  for (const { route, sample } of routes) {
    outcome.routes.push(routeName(route));
    const write = WRITES.has(route.method);
    await attack(target, route, sample, write ? hostileWriteRequests(route, sample) : hostileReadRequests(route, sample), write ? WRITE_RUNS : READ_RUNS, outcome, credentials);
  }
  return outcome;
};
