import type { TargetLimits } from '@closeloop/config';
import { HttpTarget, realTiming, type RetryPolicy, TargetLimiter, type Timing } from '@closeloop/connectors';

import { scimTargetFor, type ScimTargets } from '../config/scim-targets.config';
import { ScimClient } from './scim-client';

/** Retries towards the service's own simulator (the simulator's limits come from CONNECTOR_LIMITS). */
const SIMULATOR_RETRY: RetryPolicy = { maxAttempts: 4, maxRetryAfterMs: 10000, backoffMs: 250 };

export interface ScimTargetSettings {
  readonly targets: ScimTargets;
  /** Limits towards this service's own simulator. */
  readonly simulatorLimits: TargetLimits;
  readonly simulatorToken: string;
  /** The base URL of this service's own SCIM simulator for an app (known once the service listens). */
  readonly simulatorBaseUrl: (app: string) => string;
}

/**
 * The SCIM client of each app, made on first use: the app's own target from SAAS_SCIM_TARGETS,
 * else `*`, else this service's own simulator. Each app gets its own limiter (rate, concurrency,
 * timeout) and retry policy: each SaaS admin tool is a target system of its own.
 */
export class ScimTargetDirectory {
  private readonly clients = new Map<string, ScimClient>();

  constructor(
    private readonly settings: ScimTargetSettings,
    private readonly timing: Timing = realTiming,
  ) {}

  clientFor(app: string): ScimClient {
    let client = this.clients.get(app);
    if (!client) {
      client = new ScimClient(app, this.targetFor(app), scimTargetFor(this.settings.targets, app)?.roleGroups ?? true);
      this.clients.set(app, client);
    }
    return client;
  }

  private targetFor(app: string): HttpTarget {
    const contentType = 'application/scim+json';
    const target = scimTargetFor(this.settings.targets, app);
    if (target) {
      const limiter = new TargetLimiter(`${app} SCIM`, { ratePerSecond: target.ratePerSecond, maxConcurrent: target.maxConcurrent, timeoutMs: target.timeoutMs }, this.timing);
      const retry = { maxAttempts: target.maxAttempts, maxRetryAfterMs: target.maxRetryAfterMs, backoffMs: target.backoffMs };
      return new HttpTarget(limiter, { baseUrl: target.baseUrl, headers: { authorization: `Bearer ${target.token}` }, retry, contentType }, this.timing);
    }
    const limiter = new TargetLimiter(`${app} SCIM (simulator)`, this.settings.simulatorLimits, this.timing);
    const headers = { authorization: `Bearer ${this.settings.simulatorToken}` };
    return new HttpTarget(limiter, { baseUrl: () => this.settings.simulatorBaseUrl(app), headers, retry: SIMULATOR_RETRY, contentType }, this.timing);
  }
}
