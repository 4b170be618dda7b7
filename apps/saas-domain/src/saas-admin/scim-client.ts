import { type HttpAnswer, type HttpRequest, type HttpTarget, TargetUnavailableError } from '@closeloop/connectors';

import { SaasAdminRejectedError, SaasAdminUnavailableError } from './saas-admin.connector';
import { eqFilter, isScimUser, type PatchOperation, sameUserName,SCIM_GROUP_SCHEMA, SCIM_PATCH_OP, SCIM_USER_SCHEMA, type ScimUser } from './scim.types';

/** The resource a PATCH or GET named is gone (404): the caller looks it up again. */
export class ScimNotFoundError extends Error {
  override name = 'ScimNotFoundError';
}

/** Remembered ids per client; the oldest are forgotten beyond this. */
const CACHE_LIMIT = 10000;

const remember = (cache: Map<string, string>, key: string, id: string): void => {
  cache.delete(key);
  cache.set(key, id);
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
};

/** The target's own message from a SCIM error (RFC 7644 §3.12: detail, scimType), or the body text. */
const targetMessage = (answer: HttpAnswer): string => {
  const body = answer.body as { detail?: unknown; scimType?: unknown } | null;
  const detail = typeof body?.detail === 'string' ? body.detail : answer.text.trim().slice(0, 500) || 'no message';
  return typeof body?.scimType === 'string' ? `${detail} (scimType ${body.scimType})` : detail;
};

/**
 * One app's SCIM 2.0 service provider: the requests the connector makes, with their answers
 * interpreted. A 4xx the request cannot get past is a `SaasAdminRejectedError` carrying the
 * target's message; a target that stays unavailable is a `SaasAdminUnavailableError`
 * (retryable). Remembers user ids by userName and group ids by displayName, so repeated calls
 * read a user by id (GET /Users/{id}) instead of searching; an id that has gone stale (404) is
 * forgotten and looked up again.
 */
export class ScimClient {
  private readonly userIds = new Map<string, string>();
  private readonly groupIds = new Map<string, string>();

  constructor(
    readonly app: string,
    private readonly http: HttpTarget,
    /** Whether the app grants roles through groups too (SCIM Groups). */
    readonly roleGroups = true,
  ) {}

  /** The user with this userName: by its remembered id, else by `filter=userName eq "..."`. */
  async findUser(userName: string): Promise<ScimUser | null> {
    const key = userName.toLowerCase();
    const known = this.userIds.get(key);
    if (known) {
      const user = await this.getUser(known);
      if (user && sameUserName(user.userName, userName)) return user;
      this.userIds.delete(key);
    }
    const found = (await this.searchUsers('userName', userName)).find((u) => sameUserName(u.userName, userName)) ?? null;
    if (found) remember(this.userIds, key, found.id);
    return found;
  }

  /** The users whose attribute equals the value (`filter=<attribute> eq "..."`); the ids found are remembered. */
  async searchUsers(attribute: 'userName' | 'externalId', value: string): Promise<ScimUser[]> {
    const answer = await this.send({ method: 'GET', path: '/Users', query: { filter: eqFilter(attribute, value) }, idempotent: true }, 'search users');
    this.expect(answer, [200], 'search users');
    const users = ((answer.body as { Resources?: unknown[] } | null)?.Resources ?? []).filter(isScimUser);
    for (const user of users) remember(this.userIds, user.userName.toLowerCase(), user.id);
    return users;
  }

  /** The user's id, remembered or searched for; null when the app has no such user. */
  async userIdOf(userName: string): Promise<string | null> {
    return this.userIds.get(userName.toLowerCase()) ?? (await this.findUser(userName))?.id ?? null;
  }

  forgetUser(userName: string): void {
    this.userIds.delete(userName.toLowerCase());
  }

  /** GET /Users/{id}; null when it is gone. */
  async getUser(id: string): Promise<ScimUser | null> {
    const answer = await this.send({ method: 'GET', path: `/Users/${encodeURIComponent(id)}`, idempotent: true }, `read user ${id}`);
    if (answer.status === 404) return null;
    this.expect(answer, [200], `read user ${id}`);
    return this.user(answer, `read user ${id}`);
  }

  /** POST /Users; null when the userName is taken already (409 uniqueness): the caller looks again. */
  async createUser(user: Omit<ScimUser, 'id'>): Promise<ScimUser | null> {
    const what = `create user ${user.userName}`;
    const answer = await this.send({ method: 'POST', path: '/Users', body: { schemas: [SCIM_USER_SCHEMA], ...user }, idempotent: false }, what);
    if (answer.status === 409) return null;
    this.expect(answer, [200, 201], what);
    const created = this.user(answer, what);
    remember(this.userIds, created.userName.toLowerCase(), created.id);
    return created;
  }

  /** PATCH /Users/{id} with a PatchOp; `ScimNotFoundError` when the user is gone. */
  async patchUser(id: string, operations: readonly PatchOperation[], what: string): Promise<void> {
    const answer = await this.send({ method: 'PATCH', path: `/Users/${encodeURIComponent(id)}`, body: { schemas: [SCIM_PATCH_OP], Operations: operations }, idempotent: true }, what);
    if (answer.status === 404) throw new ScimNotFoundError(`${this.app}: user ${id} not found`);
    this.expect(answer, [200, 204], what);
  }

  /** DELETE /Users/{id}; false when there was no such user (404). */
  async deleteUser(id: string, what: string): Promise<boolean> {
    const answer = await this.send({ method: 'DELETE', path: `/Users/${encodeURIComponent(id)}`, idempotent: true }, what);
    if (answer.status === 404) return false;
    this.expect(answer, [200, 204], what);
    return true;
  }

  /** The id of the group with this displayName, created when the app has none. */
  async groupIdOf(displayName: string, create: boolean): Promise<string | null> {
    const key = displayName.toLowerCase();
    const known = this.groupIds.get(key);
    if (known) return known;
    for (let tries = 0; tries < 2; tries++) {
      const answer = await this.send(
        { method: 'GET', path: '/Groups', query: { filter: eqFilter('displayName', displayName), excludedAttributes: 'members' }, idempotent: true },
        `search group ${displayName}`,
      );
      this.expect(answer, [200], `search group ${displayName}`);
      const found = ((answer.body as { Resources?: Array<{ id?: unknown; displayName?: unknown }> } | null)?.Resources ?? []).find(
        (g) => typeof g.id === 'string' && typeof g.displayName === 'string' && g.displayName.toLowerCase() === key,
      );
      if (found) {
        remember(this.groupIds, key, found.id as string);
        return found.id as string;
      }
      if (!create) return null;
      const what = `create group ${displayName}`;
      const created = await this.send({ method: 'POST', path: '/Groups', query: { excludedAttributes: 'members' }, body: { schemas: [SCIM_GROUP_SCHEMA], displayName }, idempotent: false }, what);
      // 409: created meanwhile by another call; look again.
      if (created.status === 409) continue;
      this.expect(created, [200, 201], what);
      const id = (created.body as { id?: unknown } | null)?.id;
      if (typeof id !== 'string') throw new SaasAdminRejectedError(`${this.app} answered ${what} without a group id`);
      remember(this.groupIds, key, id);
      return id;
    }
    throw new SaasAdminRejectedError(`${this.app} reports group ${displayName} as taken but does not find it`);
  }

  /** PATCH /Groups/{id}: adds or removes one member; `ScimNotFoundError` when the group is gone (it is forgotten). */
  async changeMember(groupId: string, displayName: string, userId: string, change: 'add' | 'remove'): Promise<void> {
    const what = `${change === 'add' ? 'add' : 'remove'} member ${userId} ${change === 'add' ? 'to' : 'from'} group ${displayName}`;
    const operation: PatchOperation = change === 'add' ? { op: 'add', path: 'members', value: [{ value: userId }] } : { op: 'remove', path: `members[value eq ${JSON.stringify(userId)}]` };
    const answer = await this.send(
      { method: 'PATCH', path: `/Groups/${encodeURIComponent(groupId)}`, query: { excludedAttributes: 'members' }, body: { schemas: [SCIM_PATCH_OP], Operations: [operation] }, idempotent: true },
      what,
    );
    if (answer.status === 404) {
      this.groupIds.delete(displayName.toLowerCase());
      throw new ScimNotFoundError(`${this.app}: group ${displayName} not found`);
    }
    this.expect(answer, [200, 204], what);
  }

  private async send(request: HttpRequest, what: string): Promise<HttpAnswer> {
    try {
      return await this.http.request(request);
    } catch (error) {
      if (error instanceof TargetUnavailableError) throw new SaasAdminUnavailableError(`${this.app} could not ${what}: ${error.message}`, { cause: error });
      throw error;
    }
  }

  /** Any other status is a refusal the connector cannot get past: terminal, with the target's own message. */
  private expect(answer: HttpAnswer, ok: readonly number[], what: string): void {
    if (ok.includes(answer.status)) return;
    throw new SaasAdminRejectedError(`${this.app} refused to ${what} (${answer.status}): ${targetMessage(answer)}`);
  }

  private user(answer: HttpAnswer, what: string): ScimUser {
    if (!isScimUser(answer.body)) throw new SaasAdminRejectedError(`${this.app} answered ${what} without a SCIM user (id, userName)`);
    return answer.body;
  }
}
