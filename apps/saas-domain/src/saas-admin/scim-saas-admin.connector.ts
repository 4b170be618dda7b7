import type { AddressInfo } from 'node:net';

import { TargetUnavailableError } from '@closeloop/connectors';
import { COMMON_CONFIG } from '@closeloop/runtime';
import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';

import type { SaasConfig } from '../config/saas.config';
import { appsInUse } from '../config/scim-targets.config';
import { scimSimulatorBaseUrl } from '../scim-simulator/scim-simulator.paths';
import { type AppAccess, type SaasAdminConnector, SaasAdminRejectedError, type SeatLicence } from './saas-admin.connector';
import { accessPatch, appUserOf, LICENCE_ENTITLEMENT, licenceOf, primaryRole, REMOVE_SEATS, SCIM_LICENSING_SCHEMA, type ScimUser } from './scim.types';
import { type ScimClient, ScimNotFoundError } from './scim-client';
import { ScimTargetDirectory } from './scim-target-directory';
import type { AppUser, UserAccess } from './user-access';

/** Where this service listens, for its own simulator: 127.0.0.1 when it listens on every address. */
const ownOrigin = (adapterHost: HttpAdapterHost): string => {
  const address = adapterHost.httpAdapter?.getHttpServer()?.address() as AddressInfo | string | null | undefined;
  if (!address || typeof address === 'string') throw new TargetUnavailableError('saas-simulator', 'the SaaS admin simulator of this service is not listening yet');
  const host = address.address === '0.0.0.0' || address.address === '::' ? '127.0.0.1' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
};

/** Swallows a 404 (the resource is gone: nothing left to change); throws anything else. */
const unlessGone = (error: unknown): void => {
  if (!(error instanceof ScimNotFoundError)) throw error;
};

/**
 * The SaaS admin tools over SCIM 2.0 (RFC 7643/7644), against any SCIM service provider (one
 * base URL and bearer token per app, SAAS_SCIM_TARGETS) or this service's own simulator:
 * - the user is found by `filter=userName eq "<accountId>"` (then read by id, GET /Users/{id}),
 *   created with POST /Users (`userName` = account id, `externalId` = employee id, `active`,
 *   `roles`), changed with PATCH (PatchOp) and revoked with DELETE /Users/{id};
 * - the role is the primary `roles` value and a membership of the app's group named after it,
 *   through PATCH /Groups/{id} (the group is created when the app has none);
 * - the licence is the user's entitlement of type `licence`; seat licences are the
 *   `urn:ietf:params:scim:schemas:extension:closeloop:licensing:2.0:User` extension.
 * - an employee's user is found by `filter=externalId eq "<employeeId>"`, else by its email as
 *   userName; its whole access (active, roles, entitlements, seats) is set with one PATCH, and
 *   its groups through PATCH /Groups/{id}, one per group joined or left.
 * Every call goes through the app's limiter and retry policy (libs/connectors). Ensure
 * semantics throughout: each call reads first and changes only what differs.
 */
@Injectable()
export class ScimSaasAdminConnector implements SaasAdminConnector {
  private readonly directory: ScimTargetDirectory;
  private readonly apps: readonly string[];

  constructor(@Inject(COMMON_CONFIG) config: SaasConfig, adapterHost: HttpAdapterHost) {
    this.apps = appsInUse(config);
    this.directory = new ScimTargetDirectory({
      targets: config.SAAS_SCIM_TARGETS,
      simulatorLimits: config.CONNECTOR_LIMITS,
      simulatorToken: config.SAAS_SCIM_SIMULATOR_TOKEN,
      simulatorBaseUrl: (app) => scimSimulatorBaseUrl(ownOrigin(adapterHost), app),
    });
  }

  async ensureAccess(app: string, accountId: string, role: string, employeeId: string): Promise<void> {
    const scim = this.directory.clientFor(app);
    let user = await scim.findUser(accountId);
    // 409 on create: created meanwhile (a retried call); take it if it is this employee's.
    user ??= (await scim.createUser({ userName: accountId, externalId: employeeId, active: true, roles: [{ value: role, primary: true }] })) ?? (await scim.findUser(accountId));
    if (!user) throw new SaasAdminRejectedError(`${app} refused to create user ${accountId}: userName taken, but no such user found`);
    if (user.externalId !== undefined && user.externalId !== employeeId) {
      throw new SaasAdminRejectedError(`${app} already has user ${accountId} for another employee (externalId ${user.externalId})`);
    }
    const previousRole = primaryRole(user);
    if (user.active !== true || previousRole !== role) {
      await scim.patchUser(
        user.id,
        [
          { op: 'replace', path: 'active', value: true },
          { op: 'replace', path: 'roles', value: [{ value: role, primary: true }] },
        ],
        `grant role ${role} to ${accountId}`,
      );
    }
    if (scim.roleGroups) await this.ensureRoleGroup(scim, user, role, previousRole);
  }

  async ensureLicence(app: string, accountId: string, licence: string, _employeeId: string): Promise<void> {
    await this.withUser(app, accountId, `assign licence ${licence}`, (scim, id) =>
      scim.patchUser(
        id,
        [
          { op: 'remove', path: `entitlements[type eq ${JSON.stringify(LICENCE_ENTITLEMENT)}]` },
          { op: 'add', path: 'entitlements', value: [{ value: licence, type: LICENCE_ENTITLEMENT, primary: true }] },
        ],
        `assign licence ${licence} to ${accountId}`,
      ),
    );
  }

  async readAccess(app: string, accountId: string): Promise<AppAccess | null> {
    const user = await this.directory.clientFor(app).findUser(accountId);
    if (!user) return null;
    return {
      app,
      accountId: user.userName,
      role: primaryRole(user) ?? '',
      active: user.active === true,
      licence: licenceOf(user),
      groups: (user.groups ?? []).map((g) => g.display ?? g.value ?? '').filter((g) => g !== ''),
    };
  }

  /** DELETE /Users/{id} (RFC 7644 §3.6): the user, its role, licence, seats and memberships go at once. */
  async revokeAccess(app: string, accountId: string, _employeeId: string): Promise<void> {
    const scim = this.directory.clientFor(app);
    // A remembered id may be stale (the user was deleted and made again): a 404 looks again once.
    for (let tries = 0; tries < 2; tries++) {
      const id = await scim.userIdOf(accountId);
      if (!id) return;
      const deleted = await scim.deleteUser(id, `revoke ${accountId}`);
      scim.forgetUser(accountId);
      if (deleted) return;
    }
  }

  async ensureSeats(app: string, accountId: string, licenceType: string, seats: number, _employeeId: string): Promise<void> {
    await this.withUser(app, accountId, `assign ${seats} ${licenceType} seats`, (scim, id) =>
      scim.patchUser(id, [{ op: 'replace', path: SCIM_LICENSING_SCHEMA, value: { licenceType, seats } }], `assign ${seats} ${licenceType} seats to ${accountId}`),
    );
  }

  async readSeats(app: string, accountId: string): Promise<SeatLicence | null> {
    const user = await this.directory.clientFor(app).findUser(accountId);
    const seats = user?.[SCIM_LICENSING_SCHEMA];
    if (!user || !seats?.licenceType) return null;
    return { licenceType: seats.licenceType, seats: seats.seats ?? 0, active: user.active === true };
  }

  async removeSeats(app: string, accountId: string, _employeeId: string): Promise<void> {
    const scim = this.directory.clientFor(app);
    const user = await scim.findUser(accountId);
    if (!user?.[SCIM_LICENSING_SCHEMA]) return;
    try {
      await scim.patchUser(user.id, REMOVE_SEATS, `remove the seats of ${accountId}`);
    } catch (error) {
      if (error instanceof ScimNotFoundError) return scim.forgetUser(accountId); // gone: nothing left to remove
      throw error;
    }
  }

  appsInUse(): readonly string[] {
    return this.apps;
  }

  async findEmployeeUser(app: string, employee: { readonly employeeId: string; readonly email: string }): Promise<AppUser | null> {
    const scim = this.directory.clientFor(app);
    const carrying = (await scim.searchUsers('externalId', employee.employeeId)).filter((u) => u.externalId === employee.employeeId);
    if (carrying.length > 1) {
      throw new SaasAdminRejectedError(`${app} has ${carrying.length} users for employee ${employee.employeeId} (${carrying.map((u) => u.userName).join(', ')}): a person decides which to take back`);
    }
    if (carrying[0]) return appUserOf(app, carrying[0]);
    const byEmail = await scim.findUser(employee.email);
    // A user named by the email but carrying another employee's id is that employee's.
    return byEmail && (byEmail.externalId === undefined || byEmail.externalId === employee.employeeId) ? appUserOf(app, byEmail) : null;
  }

  async readUser(app: string, accountId: string): Promise<AppUser | null> {
    const user = await this.directory.clientFor(app).findUser(accountId);
    return user ? appUserOf(app, user) : null;
  }

  async setUserAccess(app: string, accountId: string, access: UserAccess, _employeeId: string): Promise<void> {
    const scim = this.directory.clientFor(app);
    const user = await scim.findUser(accountId);
    if (!user) return;
    const operations = accessPatch(user, access);
    if (operations.length > 0) {
      try {
        await scim.patchUser(user.id, operations, `set the access of ${accountId}`);
      } catch (error) {
        // Gone meanwhile: nothing left to set; the read-back says so.
        if (error instanceof ScimNotFoundError) return scim.forgetUser(accountId);
        throw error;
      }
    }
    const memberOf = new Set((user.groups ?? []).map((g) => g.value));
    const wanted = new Set(access.groups.map((g) => g.id));
    const changes = [
      ...(user.groups ?? []).filter((g) => g.value && !wanted.has(g.value)).map((g) => ({ id: g.value as string, name: g.display ?? (g.value as string), change: 'remove' as const })),
      ...access.groups.filter((g) => !memberOf.has(g.id)).map((g) => ({ ...g, change: 'add' as const })),
    ];
    for (const { id, name, change } of changes) {
      // A group gone meanwhile: nothing to leave; one to join again, the read-back reports.
      await scim.changeMember(id, name, user.id, change).catch(unlessGone);
    }
  }

  /**
   * Runs a change on the app's user; a user that must exist and does not is a refusal. A
   * remembered id that went stale (404) is looked up once more.
   */
  private async withUser(app: string, accountId: string, what: string, change: (scim: ScimClient, id: string) => Promise<void>): Promise<void> {
    const scim = this.directory.clientFor(app);
    for (let tries = 0; ; tries++) {
      const id = await scim.userIdOf(accountId);
      if (!id) throw new SaasAdminRejectedError(`${app} has no user ${accountId} to ${what}`);
      try {
        return await change(scim, id);
      } catch (error) {
        if (!(error instanceof ScimNotFoundError) || tries > 0) throw error;
        scim.forgetUser(accountId);
      }
    }
  }

  /** Member of the group named after the role; out of the group of the role it had before. */
  private async ensureRoleGroup(scim: ScimClient, user: ScimUser, role: string, previousRole: string | undefined): Promise<void> {
    const memberOf = new Set((user.groups ?? []).map((g) => g.value));
    for (let tries = 0; ; tries++) {
      const groupId = (await scim.groupIdOf(role, true)) as string;
      if (memberOf.has(groupId)) break;
      try {
        await scim.changeMember(groupId, role, user.id, 'add');
        break;
      } catch (error) {
        if (!(error instanceof ScimNotFoundError) || tries > 0) throw error;
      }
    }
    if (previousRole && previousRole.toLowerCase() !== role.toLowerCase() && memberOf.size > 0) {
      const previousGroup = await scim.groupIdOf(previousRole, false);
      if (previousGroup && memberOf.has(previousGroup)) {
        await scim.changeMember(previousGroup, previousRole, user.id, 'remove').catch(unlessGone);
      }
    }
  }
}
