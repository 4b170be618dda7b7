import type { SimulatorFaultSettings } from '@closeloop/config';
import { pause, SimulatorFaults } from '@closeloop/runtime';
import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

import { ScimStore } from './scim-store.repository';

/** The SCIM error body (RFC 7644 §3.12) for the statuses the SCIM library cannot express (429, 503). */
export const scimErrorBody = (status: number, detail: string, scimType?: string) => ({
  schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
  status: String(status),
  ...(scimType ? { scimType } : {}),
  detail,
});

export const sendScimError = (res: Response, status: number, detail: string, headers: Record<string, string> = {}, scimType?: string): void => {
  res.status(status).set({ 'content-type': 'application/scim+json', ...headers }).send(JSON.stringify(scimErrorBody(status, detail, scimType)));
};

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const PROVISIONING = new Set(['POST', 'PUT', 'PATCH']);

/** Whether any switch is on: otherwise requests pass without a look at who they are about. */
const anyFault = (s: SimulatorFaultSettings): boolean =>
  s.latencyMs > 0 || s.failProvisioning || s.readBackDisagrees || s.rateLimitedCalls > 0 || s.unavailableCalls > 0;

const strings = (values: unknown[]): string[] => values.filter((v): v is string => typeof v === 'string' && v.length > 0);

/**
 * The simulator's fault switches (`SimulatorFaults`, `PUT /simulator/faults`) applied to SCIM
 * requests, before the SCIM library sees them:
 * - `unavailableCalls` / `rateLimitedCalls`: the first N calls after the switches were set are
 *   answered 503 / 429 with `Retry-After: retryAfterSeconds` (outage first, then throttling);
 * - `latencyMs`: every write (POST, PUT, PATCH, DELETE) is answered that much later;
 * - `failProvisioning`: creating or changing users and groups is refused with 403 and a message;
 * - `readBackDisagrees`: licence changes are acknowledged but not stored (see scim-resources).
 * `onlyFor` lists employee ids: a request counts only when it is about one of them, by the
 * externalId of the user it creates, reads, changes or adds to a group (the connector sets
 * externalId to the employee id). Requests about no known user (a search for a user that does
 * not exist yet, the discovery endpoints) are then left alone.
 */
@Injectable()
export class ScimFaultGate {
  private countingFor: SimulatorFaultSettings | null = null;
  private unavailable = 0;
  private rateLimited = 0;

  constructor(
    private readonly faults: SimulatorFaults,
    private readonly store: ScimStore,
  ) {}

  readonly handle = (req: Request, res: Response, next: NextFunction): void => {
    this.apply(req, res).then((passed) => passed && next(), next);
  };

  /** True when the request goes on to the SCIM service; false when a fault answered it. */
  private async apply(req: Request, res: Response): Promise<boolean> {
    const settings = this.faults.current;
    if (settings !== this.countingFor) {
      // New switches: "the first N calls" count from now.
      this.countingFor = settings;
      this.unavailable = 0;
      this.rateLimited = 0;
    }
    if (!anyFault(settings)) return true;
    const app = String(req.params['app']);
    if (settings.onlyFor) {
      const subjects = await this.subjectsOf(app, req);
      if (!subjects.some((s) => settings.onlyFor?.includes(s))) return true;
    }
    const retryAfter = { 'retry-after': String(settings.retryAfterSeconds) };
    if (this.unavailable < settings.unavailableCalls) {
      this.unavailable++;
      sendScimError(res, 503, `${app} is temporarily unavailable (simulated outage); retry after ${settings.retryAfterSeconds} s`, retryAfter);
      return false;
    }
    if (this.rateLimited < settings.rateLimitedCalls) {
      this.rateLimited++;
      sendScimError(res, 429, `too many requests to ${app} (simulated throttling); retry after ${settings.retryAfterSeconds} s`, retryAfter);
      return false;
    }
    if (WRITES.has(req.method)) await pause(settings.latencyMs);
    if (settings.failProvisioning && PROVISIONING.has(req.method) && /^\/(Users|Groups)(\/|$)/.test(req.path)) {
      const body = req.body as { userName?: unknown } | undefined;
      const who = typeof body?.userName === 'string' ? ` for ${body.userName}` : '';
      sendScimError(res, 403, `${app} refused the change${who}: simulated provisioning fault`);
      return false;
    }
    res.locals['scimReadBackDisagrees'] = settings.readBackDisagrees;
    return true;
  }

  /** The employee ids (externalIds) a request is about: the user it creates, names, or adds to or removes from a group. */
  private async subjectsOf(app: string, req: Request): Promise<string[]> {
    const [, kind, id] = req.path.split('/');
    const body: Record<string, unknown> = typeof req.body === 'object' && req.body !== null ? (req.body as Record<string, unknown>) : {};
    if (kind === 'Users' && !id) {
      if (req.method === 'POST') return strings([body['externalId']]);
      const filter = typeof req.query['filter'] === 'string' ? req.query['filter'] : '';
      const externalId = /externalId\s+eq\s+"([^"]*)"/i.exec(filter)?.[1];
      if (externalId) return [externalId];
      const userName = /userName\s+eq\s+"([^"]*)"/i.exec(filter)?.[1];
      return userName ? this.store.externalIdsOf(app, [], [userName]) : [];
    }
    if (kind === 'Users' && id) return this.store.externalIdsOf(app, [id], []);
    if (kind === 'Groups') {
      // Members named in a PatchOp (values, or `members[value eq "..."]` paths) or in a POST/PUT body.
      const text = JSON.stringify(body);
      const ids = [...text.matchAll(/"value":"([0-9a-fA-F-]{36})"/g), ...text.matchAll(/value eq \\"([0-9a-fA-F-]{36})\\"/g)].map((m) => m[1] as string);
      return ids.length > 0 ? this.store.externalIdsOf(app, ids, []) : [];
    }
    return [];
  }
}
