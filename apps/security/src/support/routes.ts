import { ACCESS_METADATA, type Role, ROLES_METADATA, type RouteAccess } from '@closeloop/auth';
import { type INestApplication, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { DiscoveryService, MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';

/** How a route may be reached, as its metadata says; `undeclared` is a route the matrix fails on. */
export type DeclaredAccess = { readonly kind: 'roles'; readonly roles: readonly Role[] } | RouteAccess | { readonly kind: 'undeclared' };

export interface CollectedRoute {
  readonly method: string;
  /** The Express pattern Nest registered, e.g. `/journeys/:id/cancel`. */
  readonly path: string;
  readonly controller: string;
  readonly handler: string;
  readonly access: DeclaredAccess;
  readonly params: readonly string[];
  /** The handler reads the body (`@Body`), the query string (`@Query`). */
  readonly takesBody: boolean;
  readonly takesQuery: boolean;
}

export const routeName = (route: Pick<CollectedRoute, 'method' | 'path'>): string => `${route.method} ${route.path}`;

const joinPath = (...parts: ReadonlyArray<string | undefined>): string => {
  const segments = parts.flatMap((part) => (part ?? '').split('/')).filter((segment) => segment.length > 0);
  return `/${segments.join('/')}`;
};

const asList = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : [typeof value === 'string' ? value : '']);

/**
 * Every HTTP route the running app registered through its controllers, with the access its
 * metadata declares, read the way the global AuthGuard reads it (handler over class). Found with
 * Nest's DiscoveryService, MetadataScanner and Reflector, so a route added tomorrow is in the list.
 */
export const collectRoutes = (app: INestApplication): CollectedRoute[] => {
  const discovery = new DiscoveryService(app.get(ModulesContainer));
  const scanner = new MetadataScanner();
  const reflector = app.get(Reflector);
  const routes: CollectedRoute[] = [];
  for (const wrapper of discovery.getControllers()) {
    const controller = wrapper.metatype as (new (...args: never[]) => object) | undefined;
    if (!controller?.prototype) continue;
    const prefixes = asList(Reflect.getMetadata(PATH_METADATA, controller));
    for (const name of scanner.getAllMethodNames(controller.prototype)) {
      const handler = (controller.prototype as Record<string, unknown>)[name] as object;
      const methodPath = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
      if (methodPath === undefined) continue; // not a route handler
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod] ?? 'UNKNOWN';
      const targets = [handler as never, controller as never];
      const special = reflector.getAllAndOverride<RouteAccess | undefined>(ACCESS_METADATA, targets);
      const roles = reflector.getAllAndOverride<Role[] | undefined>(ROLES_METADATA, targets);
      const access: DeclaredAccess = special ?? (roles?.length ? { kind: 'roles', roles } : { kind: 'undeclared' });
      const args = Object.keys((Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) as Record<string, unknown> | undefined) ?? {}).map((key) => Number(key.split(':')[0]));
      for (const prefix of prefixes) {
        for (const path of asList(methodPath)) {
          const full = joinPath(prefix, path);
          routes.push({
            method,
            path: full,
            controller: controller.name,
            handler: name,
            access,
            params: [...full.matchAll(/:(\w+)/g)].map((m) => m[1] as string),
            takesBody: args.includes(RouteParamtypes.BODY),
            takesQuery: args.includes(RouteParamtypes.QUERY),
          });
        }
      }
    }
  }
  return routes.sort((a, b) => routeName(a).localeCompare(routeName(b)));
};

/** The routes that declare neither roles nor `@Public` nor `@ScrapeEndpoint`: closed by the guard, and a failure of the matrix. */
export const undeclaredRoutes = (routes: readonly CollectedRoute[]): string[] =>
  routes.filter((r) => r.access.kind === 'undeclared').map((r) => `${routeName(r)} (${r.controller}.${r.handler})`);

/** Throws, naming each route, when a route declares no access: every route must say who may call it. */
export const assertEveryRouteDeclared = (routes: readonly CollectedRoute[]): void => {
  const undeclared = undeclaredRoutes(routes);
  if (undeclared.length > 0) {
    throw new Error(`${undeclared.length} route(s) declare no roles (@Roles), nor @Public(why), nor @ScrapeEndpoint(): ${undeclared.join('; ')}`);
  }
};

interface ExpressLayer {
  readonly route?: { readonly path: string | string[]; readonly methods: Record<string, boolean> };
}

/**
 * The routes Express itself holds (`app.get(...)` and friends, whoever registered them): the
 * cross-check that nothing answers HTTP beside the controllers the matrix walks. Mounted
 * routers and middleware (`app.use`) have no route and are not listed.
 */
export const expressRoutes = (app: INestApplication): string[] => {
  const instance = app.getHttpAdapter().getInstance() as { router?: { stack: ExpressLayer[] }; _router?: { stack: ExpressLayer[] } };
  const stack = instance.router?.stack ?? instance._router?.stack ?? [];
  return stack
    .flatMap((layer) => (layer.route ? asList(layer.route.path).flatMap((path) => Object.keys(layer.route?.methods ?? {}).map((m) => `${m.toUpperCase()} ${path}`)) : []))
    .filter((name) => !name.startsWith('_ALL'))
    .sort();
};
