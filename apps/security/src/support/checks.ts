import { hostileIdentities } from './hostile-credentials';
import type { RouteSample } from './hostile-requests';
import { READ_RUNS, runHostileInputs, WRITE_RUNS } from './hostile-runner';
import { runPoison } from './poison-runner';
import { runRouteMatrix } from './route-matrix';
import { APPROVER_GROUPS, type SecurityContext } from './service-context';
import { tally } from './tally';

const failWith = (title: string, failures: readonly string[]): void => {
  if (failures.length > 0) throw new Error(`${title}: ${failures.length} failure(s)\n\n${failures.join('\n\n')}`);
};

/** The route × role matrix of the service (see `runRouteMatrix`), counted and printed. */
export const expectRouteMatrix = async (ctx: SecurityContext): Promise<void> => {
  const result = await runRouteMatrix(ctx.svc.app, ctx.svc.url, ctx.idp);
  const open = [...result.publicRoutes, ...result.scrapeRoutes];
  tally(
    { kind: 'routes', service: ctx.svc.name, routes: result.routes, publicRoutes: result.publicRoutes.length, scrapeRoutes: result.scrapeRoutes.length, roleChecks: result.roleChecks, credentialChecks: result.credentialChecks },
    `${result.routes} routes, ${result.roleChecks} route×role checks, ${result.credentialChecks} credential checks; open without credentials: ${open.join('; ') || 'none'}`,
  );
  failWith(`${ctx.svc.name}: route × role matrix`, result.failures);
};

/** Hostile bodies, query strings and parameters on every route that takes input (see `runHostileInputs`): never a 5xx. */
export const expectNoServerErrors = async (ctx: SecurityContext, samples: Readonly<Record<string, RouteSample>>): Promise<void> => {
  const identities = (roles: readonly string[]) => hostileIdentities(ctx.idp, roles, APPROVER_GROUPS);
  const outcome = await runHostileInputs({ name: ctx.svc.name, app: ctx.svc.app, url: ctx.svc.url, as: ctx.as, identities }, samples);
  tally(
    { kind: 'hostile', service: ctx.svc.name, routes: outcome.routes.length, sent: outcome.sent, mustRefuse: outcome.mustRefuse, fiveXx: outcome.fiveXx, accepted: outcome.accepted },
    `${outcome.sent} hostile inputs sent, ${outcome.fiveXx} 5xx (${outcome.mustRefuse} that had to be refused with a 4xx, ${outcome.accepted} accepted as valid) on ${outcome.routes.length} routes (${WRITE_RUNS} runs per write route, ${READ_RUNS} per read route): ${outcome.routes.join(', ')}`,
  );
  failWith(`${ctx.svc.name}: hostile input`, outcome.failures);
};

/** Poison of every kind on every consumed topic (see `runPoison`): dead-lettered with a bounded reason, and the consumer goes on. */
export const expectPoisonDeadLettered = async (ctx: SecurityContext): Promise<void> => {
  const outcome = await runPoison(ctx);
  tally(
    { kind: 'poison', service: ctx.svc.name, topics: outcome.topics, kinds: outcome.kinds, sent: outcome.sent, deadLettered: outcome.deadLettered },
    `${outcome.sent} poison events (${outcome.kinds} kinds × ${outcome.topics} topics), ${outcome.deadLettered} dead-lettered with a bounded reason`,
  );
  failWith(`${ctx.svc.name}: poison events`, outcome.failures);
};
