import { randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** The SCIM attributes of a resource as stored (everything but id, meta and the read-only groups/members). */
export type ScimAttributes = Record<string, unknown>;

export interface StoredUser {
  readonly id: string;
  readonly userName: string;
  readonly externalId: string | null;
  readonly attributes: ScimAttributes;
  readonly created: Date;
  readonly lastModified: Date;
  readonly groups: ReadonlyArray<{ readonly id: string; readonly displayName: string }>;
}

export interface StoredGroup {
  readonly id: string;
  readonly displayName: string;
  readonly externalId: string | null;
  readonly created: Date;
  readonly lastModified: Date;
  /** The members loaded (all of them, only some, or none: see `MemberScope`), with their userName. */
  readonly members: ReadonlyArray<{ readonly id: string; readonly userName: string }>;
}

/** Which members to load with a group: all, none, or only these user ids (a PATCH that names its members). */
export type MemberScope = 'all' | 'none' | readonly string[];

/** A user or group lookup that SQL answers directly; anything else is filtered in memory by the SCIM library. */
export type Lookup = { readonly attribute: 'id' | 'userName' | 'externalId' | 'displayName'; readonly value: string };

/** userName / displayName already taken in the app. */
export class ScimUniquenessError extends Error {
  override name = 'ScimUniquenessError';
}

/** A group member that is no user of the app. */
export class ScimUnknownMemberError extends Error {
  override name = 'ScimUnknownMemberError';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => UUID.test(value);

interface UserRow {
  id: string;
  user_name: string;
  external_id: string | null;
  resource: ScimAttributes;
  created_at: Date;
  updated_at: Date;
  groups: Array<{ id: string; displayName: string }> | null;
}

interface GroupRow {
  id: string;
  display_name: string;
  external_id: string | null;
  created_at: Date;
  updated_at: Date;
}

const USER_COLUMNS = `u.id, u.user_name, u.external_id, u.resource, u.created_at, u.updated_at,
  (SELECT json_agg(json_build_object('id', g.id, 'displayName', g.display_name) ORDER BY g.display_name)
   FROM saas.sim_scim_group_members m JOIN saas.sim_scim_groups g ON g.app = m.app AND g.id = m.group_id
   WHERE m.app = u.app AND m.user_id = u.id) AS groups`;

const toUser = (row: UserRow): StoredUser => ({
  id: row.id,
  userName: row.user_name,
  externalId: row.external_id,
  attributes: row.resource,
  created: row.created_at,
  lastModified: row.updated_at,
  groups: row.groups ?? [],
});

const isUniqueViolation = (error: unknown): boolean => (error as { code?: unknown } | null)?.code === '23505';
const isForeignKeyViolation = (error: unknown): boolean => (error as { code?: unknown } | null)?.code === '23503';

/**
 * The SCIM simulator's users, groups and memberships, per app, in the saas schema. Each call
 * commits on its own, like a remote system.
 */
@Injectable()
export class ScimStore {
  /** The most users a filter SQL cannot answer is evaluated over (SCIM `tooMany` beyond it). */
  static readonly SCAN_LIMIT = 10000;

  constructor(private readonly dataSource: DataSource) {}

  async findUser(app: string, id: string): Promise<StoredUser | null> {
    if (!isUuid(id)) return null;
    const [row] = await this.dataSource.query<UserRow[]>(`SELECT ${USER_COLUMNS} FROM saas.sim_scim_users u WHERE u.app = $1 AND u.id = $2`, [app, id]);
    return row ? toUser(row) : null;
  }

  /** Users matching a lookup, or every user of the app (up to SCAN_LIMIT + 1) when there is none. */
  async findUsers(app: string, lookup: Lookup | null): Promise<StoredUser[]> {
    if (lookup?.attribute === 'id') {
      const user = await this.findUser(app, lookup.value);
      return user ? [user] : [];
    }
    const where =
      lookup?.attribute === 'userName' ? 'AND lower(u.user_name) = lower($2)' : lookup?.attribute === 'externalId' ? 'AND u.external_id = $2' : `ORDER BY u.created_at LIMIT ${ScimStore.SCAN_LIMIT + 1}`;
    const rows = await this.dataSource.query<UserRow[]>(`SELECT ${USER_COLUMNS} FROM saas.sim_scim_users u WHERE u.app = $1 ${where}`, lookup ? [app, lookup.value] : [app]);
    return rows.map(toUser);
  }

  async createUser(app: string, user: { userName: string; externalId: string | null; attributes: ScimAttributes }): Promise<StoredUser> {
    try {
      const [row] = await this.dataSource.query<UserRow[]>(
        `INSERT INTO saas.sim_scim_users AS u (app, id, user_name, external_id, resource) VALUES ($1, $2, $3, $4, $5)
         RETURNING u.id, u.user_name, u.external_id, u.resource, u.created_at, u.updated_at, NULL::json AS groups`,
        [app, randomUUID(), user.userName, user.externalId, JSON.stringify(user.attributes)],
      );
      return toUser(row as UserRow);
    } catch (error) {
      if (isUniqueViolation(error)) throw new ScimUniquenessError(`userName "${user.userName}" is already taken in ${app}`);
      throw error;
    }
  }

  /** Replaces a user's attributes; null when there is no such user. */
  async replaceUser(app: string, id: string, user: { userName: string; externalId: string | null; attributes: ScimAttributes }): Promise<StoredUser | null> {
    if (!isUuid(id)) return null;
    try {
      const [updated] = await this.dataSource.query<Array<{ id: string }>>(
        `WITH updated AS (
           UPDATE saas.sim_scim_users SET user_name = $3, external_id = $4, resource = $5, updated_at = now(), version = version + 1
           WHERE app = $1 AND id = $2 RETURNING id)
         SELECT id FROM updated`,
        [app, id, user.userName, user.externalId, JSON.stringify(user.attributes)],
      );
      return updated ? this.findUser(app, id) : null;
    } catch (error) {
      if (isUniqueViolation(error)) throw new ScimUniquenessError(`userName "${user.userName}" is already taken in ${app}`);
      throw error;
    }
  }

  /** Deletes a user and its memberships; false when there was no such user. */
  async deleteUser(app: string, id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    const rows = await this.dataSource.query<Array<{ id: string }>>('WITH deleted AS (DELETE FROM saas.sim_scim_users WHERE app = $1 AND id = $2 RETURNING id) SELECT id FROM deleted', [app, id]);
    return rows.length > 0;
  }

  /** The externalIds of users, found by id or by userName (for attributing a request to employees). */
  async externalIdsOf(app: string, ids: readonly string[], userNames: readonly string[]): Promise<string[]> {
    const uuids = ids.filter(isUuid);
    if (uuids.length === 0 && userNames.length === 0) return [];
    const rows = await this.dataSource.query<Array<{ external_id: string }>>(
      `SELECT external_id FROM saas.sim_scim_users
       WHERE app = $1 AND external_id IS NOT NULL AND (id = ANY($2::uuid[]) OR lower(user_name) = ANY($3::text[]))`,
      [app, uuids, userNames.map((n) => n.toLowerCase())],
    );
    return rows.map((r) => r.external_id);
  }

  async findGroup(app: string, id: string, scope: MemberScope): Promise<StoredGroup | null> {
    if (!isUuid(id)) return null;
    const [row] = await this.dataSource.query<GroupRow[]>('SELECT id, display_name, external_id, created_at, updated_at FROM saas.sim_scim_groups WHERE app = $1 AND id = $2', [app, id]);
    if (!row) return null;
    return this.withMembers(app, [row], scope).then(([group]) => group ?? null);
  }

  /** Groups matching a lookup, or every group of the app (up to SCAN_LIMIT + 1). */
  async findGroups(app: string, lookup: Lookup | null, scope: MemberScope): Promise<StoredGroup[]> {
    if (lookup?.attribute === 'id') {
      const group = await this.findGroup(app, lookup.value, scope);
      return group ? [group] : [];
    }
    const where =
      lookup?.attribute === 'displayName' ? 'AND lower(display_name) = lower($2)' : lookup?.attribute === 'externalId' ? 'AND external_id = $2' : `ORDER BY created_at LIMIT ${ScimStore.SCAN_LIMIT + 1}`;
    const rows = await this.dataSource.query<GroupRow[]>(`SELECT id, display_name, external_id, created_at, updated_at FROM saas.sim_scim_groups WHERE app = $1 ${where}`, lookup ? [app, lookup.value] : [app]);
    return this.withMembers(app, rows, scope);
  }

  async createGroup(app: string, group: { displayName: string; externalId: string | null; members: readonly string[] }): Promise<StoredGroup> {
    const id = randomUUID();
    try {
      await this.dataSource.transaction(async (manager) => {
        await manager.query('INSERT INTO saas.sim_scim_groups (app, id, display_name, external_id) VALUES ($1, $2, $3, $4)', [app, id, group.displayName, group.externalId]);
        await this.addMembers(manager.query.bind(manager), app, id, group.members);
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ScimUniquenessError(`displayName "${group.displayName}" is already taken in ${app}`);
      if (isForeignKeyViolation(error)) throw new ScimUnknownMemberError(`a member of group "${group.displayName}" is no user of ${app}`);
      throw error;
    }
    return (await this.findGroup(app, id, 'all')) as StoredGroup;
  }

  /**
   * Updates a group: its names, and the members added and removed (a diff, so a PATCH that names
   * one member costs one row, whatever the group's size). Null when there is no such group.
   */
  async updateGroup(
    app: string,
    id: string,
    change: { displayName: string; externalId: string | null; add: readonly string[]; remove: readonly string[] },
    scope: MemberScope,
  ): Promise<StoredGroup | null> {
    if (!isUuid(id)) return null;
    try {
      const found = await this.dataSource.transaction(async (manager) => {
        const rows = await manager.query<Array<{ id: string }>>(
          `WITH updated AS (
             UPDATE saas.sim_scim_groups SET display_name = $3, external_id = $4, updated_at = now(), version = version + 1
             WHERE app = $1 AND id = $2 RETURNING id)
           SELECT id FROM updated`,
          [app, id, change.displayName, change.externalId],
        );
        if (rows.length === 0) return false;
        const removable = change.remove.filter(isUuid);
        if (removable.length > 0) {
          await manager.query('DELETE FROM saas.sim_scim_group_members WHERE app = $1 AND group_id = $2 AND user_id = ANY($3::uuid[])', [app, id, removable]);
        }
        await this.addMembers(manager.query.bind(manager), app, id, change.add);
        return true;
      });
      return found ? this.findGroup(app, id, scope) : null;
    } catch (error) {
      if (isUniqueViolation(error)) throw new ScimUniquenessError(`displayName "${change.displayName}" is already taken in ${app}`);
      if (isForeignKeyViolation(error)) throw new ScimUnknownMemberError(`a member added to group "${change.displayName}" is no user of ${app}`);
      throw error;
    }
  }

  async deleteGroup(app: string, id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    const rows = await this.dataSource.query<Array<{ id: string }>>('WITH deleted AS (DELETE FROM saas.sim_scim_groups WHERE app = $1 AND id = $2 RETURNING id) SELECT id FROM deleted', [app, id]);
    return rows.length > 0;
  }

  private async addMembers(query: (sql: string, params: unknown[]) => Promise<unknown>, app: string, groupId: string, members: readonly string[]): Promise<void> {
    if (members.length === 0) return;
    const unknown = members.find((m) => !isUuid(m));
    if (unknown !== undefined) throw new ScimUnknownMemberError(`member "${unknown}" is no user of ${app}`);
    await query(
      `INSERT INTO saas.sim_scim_group_members (app, group_id, user_id) SELECT $1, $2, m FROM unnest($3::uuid[]) AS m ON CONFLICT DO NOTHING`,
      [app, groupId, [...new Set(members)]],
    );
  }

  private async withMembers(app: string, rows: readonly GroupRow[], scope: MemberScope): Promise<StoredGroup[]> {
    const members = new Map<string, Array<{ id: string; userName: string }>>();
    const only = scope === 'all' || scope === 'none' ? null : scope.filter(isUuid);
    if (rows.length > 0 && scope !== 'none' && (only === null || only.length > 0)) {
      const found = await this.dataSource.query<Array<{ group_id: string; user_id: string; user_name: string }>>(
        `SELECT m.group_id, m.user_id, u.user_name FROM saas.sim_scim_group_members m
         JOIN saas.sim_scim_users u ON u.app = m.app AND u.id = m.user_id
         WHERE m.app = $1 AND m.group_id = ANY($2::uuid[]) ${only ? 'AND m.user_id = ANY($3::uuid[])' : ''}
         ORDER BY u.user_name`,
        only ? [app, rows.map((r) => r.id), only] : [app, rows.map((r) => r.id)],
      );
      for (const m of found) members.set(m.group_id, [...(members.get(m.group_id) ?? []), { id: m.user_id, userName: m.user_name }]);
    }
    return rows.map((r) => ({ id: r.id, displayName: r.display_name, externalId: r.external_id, created: r.created_at, lastModified: r.updated_at, members: members.get(r.id) ?? [] }));
  }
}
