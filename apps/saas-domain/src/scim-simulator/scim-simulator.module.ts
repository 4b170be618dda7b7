import { createHash, timingSafeEqual } from 'node:crypto';

import { createLogger } from '@closeloop/observability';
import { type DynamicModule, Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { ExpressAdapter } from '@nestjs/platform-express';
import type { Express, NextFunction, Request, Response } from 'express';
import SCIMMYRouters from 'scimmy-routers';

import { ScimFaultGate, sendScimError } from './scim-fault-gate';
import { checkScimRequest } from './scim-request-checks';
import { declareScimResources, memberScopeOf, type ScimRequestContext } from './scim-resources';
import { SCIM_SIMULATOR_PATH } from './scim-simulator.paths';
import { ScimStore } from './scim-store.repository';

const SCIM_SIMULATOR_TOKEN = Symbol('SCIM_SIMULATOR_TOKEN');
const APP_NAME = /^[a-z0-9-]{1,64}$/;
const ENDPOINT = /^.*?\/(Users|Groups|Schemas|ResourceTypes|ServiceProviderConfig)(?=\/|$)/;

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** The parts of a request that say whether its answer leaves members out (`excludedAttributes`, `attributes`). */
const excludesMembers = (req: Request): boolean => {
  const list = (key: string) => (typeof req.query[key] === 'string' ? (req.query[key] as string).split(',').map((a) => a.trim().toLowerCase()) : null);
  const excluded = list('excludedAttributes');
  const only = list('attributes');
  return (excluded?.includes('members') ?? false) || (only !== null && !only.includes('members'));
};

/**
 * scimmy keeps one base path per resource type for the whole process, so two apps answered at
 * once could see each other's `meta.location`. Each answer's locations are rebased on the
 * request's own base URL before it is sent.
 */
const rebaseLocations = (value: unknown, base: string): unknown => {
  if (Array.isArray(value)) return value.map((v) => rebaseLocations(v, base));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = key === 'location' && typeof inner === 'string' ? inner.replace(ENDPOINT, `${base}/$1`) : rebaseLocations(inner, base);
  }
  return out;
};

@Injectable()
export class ScimSimulatorMount implements OnModuleInit {
  private readonly logger = createLogger(ScimSimulatorMount.name);
  private readonly token: Buffer;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly store: ScimStore,
    private readonly gate: ScimFaultGate,
    @Inject(SCIM_SIMULATOR_TOKEN) token: string,
  ) {
    this.token = digest(token);
  }

  onModuleInit(): void {
    declareScimResources();
    const adapter = this.adapterHost.httpAdapter as unknown as ExpressAdapter;
    // SCIM clients send application/scim+json (RFC 7644 §3.1); Nest parses only application/json.
    adapter.useBodyParser('json', false, { type: 'application/scim+json', limit: '1mb' });
    const scim = new SCIMMYRouters({
      type: 'bearer',
      handler: (req) => this.authenticate(req),
      context: (req): ScimRequestContext => this.contextOf(req),
      baseUri: (req) => `${req.protocol}://${req.get('host')}`,
    });
    const express = adapter.getInstance<Express>();
    express.use(SCIM_SIMULATOR_PATH, this.knownApp, checkScimRequest, this.ownLocations, this.gate.handle, scim, this.afterErrors);
    this.logger.info({ path: SCIM_SIMULATOR_PATH }, 'SaaS admin simulator serving SCIM 2.0');
  }

  private readonly knownApp = (req: Request, res: Response, next: NextFunction): void => {
    if (APP_NAME.test(String(req.params['app']))) return next();
    sendScimError(res, 404, 'no such app: app names are lower-case letters, digits and dashes');
  };

  private readonly ownLocations = (req: Request, res: Response, next: NextFunction): void => {
    const base = `${req.protocol}://${req.get('host')}${req.baseUrl}`;
    const json = res.json.bind(res);
    res.json = (body: unknown) => json(rebaseLocations(body, base));
    next();
  };

  /** Errors past the SCIM routes: a body that is not JSON (400), too large (413); or a 5xx the library answered already, logged. */
  private readonly afterErrors = (error: unknown, _req: Request, res: Response, next: NextFunction): void => {
    const status = Number((error as { status?: unknown; statusCode?: unknown } | null)?.status ?? (error as { statusCode?: unknown } | null)?.statusCode ?? 500);
    const message = error instanceof Error ? error.message : String(error);
    if (res.headersSent) {
      this.logger.error({ err: { message } }, 'SCIM request failed');
      return;
    }
    // body-parser's errors: a body that is not JSON is invalidSyntax (RFC 7644 §3.12).
    const invalidSyntax = (error as { type?: unknown } | null)?.type === 'entity.parse.failed';
    if (status >= 400 && status < 500) return sendScimError(res, status, message, {}, invalidSyntax ? 'invalidSyntax' : undefined);
    next(error);
  };

  private authenticate(req: Request): string {
    const presented = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
    if (presented && timingSafeEqual(digest(presented), this.token)) return 'closeloop-connector';
    res401(req);
    throw new Error(presented ? 'the bearer token is not valid for this SCIM service' : 'a bearer token is required: Authorization: Bearer <token>');
  }

  private contextOf(req: Request): ScimRequestContext {
    const excluded = excludesMembers(req);
    return {
      app: String(req.params['app']),
      store: this.store,
      dropLicences: req.res?.locals['scimReadBackDisagrees'] === true,
      memberScope: memberScopeOf(req.method, /\/v2\/Groups\/[^/]+$/.test(req.originalUrl.split('?')[0] ?? ''), req.body, excluded),
      answerMembers: !excluded,
      membersRead: new Map(),
    };
  }
}

const res401 = (req: Request): void => {
  req.res?.setHeader('www-authenticate', 'Bearer realm="closeloop-saas-simulator"');
};

/**
 * The SaaS admin simulator as a SCIM 2.0 service provider (scimmy + scimmy-routers on the
 * service's Express app): per app, `/simulator/scim/<app>/v2` with Users (and the seat licence
 * extension), Groups, Schemas, ResourceTypes, ServiceProviderConfig, Bulk and .search, bearer
 * token authentication, and the simulator's fault switches. Persisted in the saas schema.
 */
@Module({})
export class ScimSimulatorModule {
  static register(options: { token: string }): DynamicModule {
    return {
      module: ScimSimulatorModule,
      providers: [ScimStore, ScimFaultGate, ScimSimulatorMount, { provide: SCIM_SIMULATOR_TOKEN, useValue: options.token }],
    };
  }
}
