import { createLogger } from '@closeloop/observability';
import { SCIMMY } from 'scimmy-routers';

import { LICENSING_SCHEMA_ID, LicensingUserSchema } from './licensing.schema';
import { type Lookup, type MemberScope, type ScimAttributes, ScimStore, ScimUniquenessError, ScimUnknownMemberError,type StoredGroup, type StoredUser } from './scim-store.repository';

/** What the SCIM resource handlers know of the request they serve (scimmy-routers' `context`). */
export interface ScimRequestContext {
  readonly app: string;
  readonly store: ScimStore;
  /** The `readBackDisagrees` fault applies: licence changes are acknowledged but not stored. */
  readonly dropLicences: boolean;
  /** Members to load when reading a group (a PATCH naming its members loads only those). */
  readonly memberScope: MemberScope;
  /** Whether a group written in this request is answered with its members (not when the request excludes them). */
  readonly answerMembers: boolean;
  /** The members this request read per group: what a PATCH started from, so a write stores only the difference. */
  readonly membersRead: Map<string, Set<string>>;
}

const logger = createLogger('ScimSimulator');
const ScimError = SCIMMY.Types.Error;
/** A SCIM error without a scimType keyword (the library's typing insists on one). */
const plainScimError = (status: number, message: string) => new ScimError(status, undefined as unknown as string, message);

/** The SCIM library hands schema instances over; stored and compared as plain JSON. */
const plain = (value: unknown): ScimAttributes => JSON.parse(JSON.stringify(value)) as ScimAttributes;

/** Runs a handler; store errors become their SCIM errors, anything unexpected a logged 500 (never the library's default 404). */
const guarded = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ScimError) throw error;
    if (error instanceof ScimUniquenessError) throw new ScimError(409, 'uniqueness', error.message);
    if (error instanceof ScimUnknownMemberError) throw new ScimError(400, 'invalidValue', error.message);
    logger.error({ err: error instanceof Error ? { message: error.message, stack: error.stack } : String(error) }, `SCIM ${what} failed`);
    throw plainScimError(500, `the SaaS admin simulator could not ${what}`);
  }
};

/** A filter SQL answers directly: a single `attr eq "value"` on an indexed attribute. */
export const lookupOf = (filter: SCIMMY.Types.Filter | undefined, attributes: ReadonlyArray<Lookup['attribute']>): Lookup | null => {
  if (!filter || filter.length !== 1) return null;
  const entries = Object.entries(filter[0] as Record<string, unknown>);
  if (entries.length !== 1) return null;
  const [name, comparison] = entries[0] as [string, unknown];
  if (!Array.isArray(comparison) || comparison.length !== 2 || String(comparison[0]).toLowerCase() !== 'eq' || typeof comparison[1] !== 'string') return null;
  const attribute = attributes.find((a) => a.toLowerCase() === name.toLowerCase());
  return attribute ? { attribute, value: comparison[1] } : null;
};

const isLicence = (entitlement: unknown): boolean => (entitlement as { type?: unknown } | null)?.type === 'licence';
const entitlementsOf = (attributes: ScimAttributes): unknown[] => (Array.isArray(attributes['entitlements']) ? attributes['entitlements'] : []);

/**
 * With `readBackDisagrees`: what is stored keeps the licences the user had (entitlements of type
 * `licence`, the seat licence extension), whatever the request asked for.
 */
export const keepStoredLicences = (requested: ScimAttributes, stored: ScimAttributes | null): ScimAttributes => {
  const { [LICENSING_SCHEMA_ID]: _asked, ...rest } = requested;
  const entitlements = [...entitlementsOf(requested).filter((e) => !isLicence(e)), ...entitlementsOf(stored ?? {}).filter(isLicence)];
  const seats = stored?.[LICENSING_SCHEMA_ID];
  const schemas = (Array.isArray(requested['schemas']) ? (requested['schemas'] as string[]) : []).filter((s) => s !== LICENSING_SCHEMA_ID || seats !== undefined);
  return { ...rest, schemas, ...(entitlements.length > 0 ? { entitlements } : { entitlements: undefined }), ...(seats !== undefined ? { [LICENSING_SCHEMA_ID]: seats } : {}) };
};

const userOut = (user: StoredUser, attributes: ScimAttributes = user.attributes) => ({
  ...attributes,
  id: user.id,
  userName: user.userName,
  ...(user.externalId !== null ? { externalId: user.externalId } : {}),
  meta: { resourceType: 'User', created: user.created, lastModified: user.lastModified },
  groups: user.groups.map((g) => ({ value: g.id, display: g.displayName, type: 'direct' })),
});

const groupOut = (group: StoredGroup, withMembers = true) => ({
  id: group.id,
  displayName: group.displayName,
  ...(group.externalId !== null ? { externalId: group.externalId } : {}),
  meta: { resourceType: 'Group', created: group.created, lastModified: group.lastModified },
  ...(withMembers ? { members: group.members.map((m) => ({ value: m.id, display: m.userName, type: 'User' })) } : {}),
});

/** The writable attributes of an incoming resource: not id, meta, or the read-only groups. */
const writable = (instance: unknown): ScimAttributes => {
  const { id: _id, meta: _meta, groups: _groups, ...attributes } = plain(instance);
  return attributes;
};

const stringOrNull = (value: unknown): string | null => (typeof value === 'string' && value.length > 0 ? value : null);

const tooMany = (count: number, what: string): void => {
  if (count > ScimStore.SCAN_LIMIT) throw new ScimError(400, 'tooMany', `the filter would scan more than ${ScimStore.SCAN_LIMIT} ${what}; filter by an indexed attribute with eq`);
};

const notFound = (kind: string, id: string) => plainScimError(404, `${kind} ${id} not found`);

/** Users: read, created and replaced (PUT, and PATCH through the library), deleted. */
const declareUsers = (): void => {
  if (!SCIMMY.Resources.declared('User')) SCIMMY.Resources.declare(SCIMMY.Resources.User, { extensions: [{ schema: LicensingUserSchema, required: false }] });
  SCIMMY.Resources.User.egress((resource, ctx: ScimRequestContext) =>
    guarded('read users', async () => {
      if (resource.id) {
        const user = await ctx.store.findUser(ctx.app, resource.id);
        if (!user) throw notFound('User', resource.id);
        return userOut(user);
      }
      const lookup = lookupOf(resource.filter, ['id', 'userName', 'externalId']);
      const users = await ctx.store.findUsers(ctx.app, lookup);
      if (!lookup) tooMany(users.length, 'users');
      const out = users.map((u) => userOut(u));
      return lookup || !resource.filter ? out : resource.filter.match(out);
    }),
  );
  SCIMMY.Resources.User.ingress((resource, instance, ctx: ScimRequestContext) =>
    guarded('write the user', async () => {
      const attributes = writable(instance);
      const userName = stringOrNull(attributes['userName']);
      if (!userName) throw new ScimError(400, 'invalidValue', 'userName is required');
      const externalId = stringOrNull(attributes['externalId']);
      if (!resource.id) {
        const created = await ctx.store.createUser(ctx.app, { userName, externalId, attributes: ctx.dropLicences ? keepStoredLicences(attributes, null) : attributes });
        return userOut(created, attributes);
      }
      const before = ctx.dropLicences ? await ctx.store.findUser(ctx.app, resource.id) : null;
      const stored = ctx.dropLicences ? keepStoredLicences(attributes, before?.attributes ?? null) : attributes;
      const updated = await ctx.store.replaceUser(ctx.app, resource.id, { userName, externalId, attributes: stored });
      if (!updated) throw notFound('User', resource.id);
      return userOut(updated, attributes);
    }),
  );
  SCIMMY.Resources.User.degress((resource, ctx: ScimRequestContext) =>
    guarded('delete the user', async () => {
      const id = resource.id ?? '';
      if (!(await ctx.store.deleteUser(ctx.app, id))) throw notFound('User', id);
    }),
  );
};

const memberIds = (value: unknown): string[] =>
  (Array.isArray(value) ? value : []).map((m) => (m as { value?: unknown } | null)?.value).filter((v): v is string => typeof v === 'string');

/** Groups: read (with as many members as the request needs), created, updated by difference, deleted. */
const declareGroups = (): void => {
  if (!SCIMMY.Resources.declared('Group')) SCIMMY.Resources.declare(SCIMMY.Resources.Group);
  SCIMMY.Resources.Group.egress((resource, ctx: ScimRequestContext) =>
    guarded('read groups', async () => {
      if (resource.id) {
        const group = await ctx.store.findGroup(ctx.app, resource.id, ctx.memberScope);
        if (!group) throw notFound('Group', resource.id);
        ctx.membersRead.set(group.id, new Set(group.members.map((m) => m.id)));
        return groupOut(group, ctx.memberScope !== 'none');
      }
      const lookup = lookupOf(resource.filter, ['id', 'displayName', 'externalId']);
      const groups = await ctx.store.findGroups(ctx.app, lookup, ctx.memberScope);
      if (!lookup) tooMany(groups.length, 'groups');
      const out = groups.map((g) => groupOut(g, ctx.memberScope !== 'none'));
      return lookup || !resource.filter ? out : resource.filter.match(out);
    }),
  );
  SCIMMY.Resources.Group.ingress((resource, instance, ctx: ScimRequestContext) =>
    guarded('write the group', async () => {
      const attributes = writable(instance);
      const displayName = stringOrNull(attributes['displayName']);
      if (!displayName) throw new ScimError(400, 'invalidValue', 'displayName is required');
      const externalId = stringOrNull(attributes['externalId']);
      const wanted = new Set(memberIds(attributes['members']));
      if (!resource.id) return groupOut(await ctx.store.createGroup(ctx.app, { displayName, externalId, members: [...wanted] }), ctx.answerMembers);
      // A PATCH read the group first (only the members it names); a PUT replaces all members.
      const before = ctx.membersRead.get(resource.id) ?? new Set((await ctx.store.findGroup(ctx.app, resource.id, 'all'))?.members.map((m) => m.id));
      const change = { displayName, externalId, add: [...wanted].filter((m) => !before.has(m)), remove: [...before].filter((m) => !wanted.has(m)) };
      const updated = await ctx.store.updateGroup(ctx.app, resource.id, change, ctx.answerMembers ? 'all' : 'none');
      if (!updated) throw notFound('Group', resource.id);
      return groupOut(updated, ctx.answerMembers);
    }),
  );
  SCIMMY.Resources.Group.degress((resource, ctx: ScimRequestContext) =>
    guarded('delete the group', async () => {
      const id = resource.id ?? '';
      if (!(await ctx.store.deleteGroup(ctx.app, id))) throw notFound('Group', id);
    }),
  );
};

/**
 * Declares the simulator's resource types to scimmy (a process-wide registry) with handlers that
 * take everything request-specific from their context, so repeating it is harmless.
 */
export const declareScimResources = (): void => {
  declareUsers();
  declareGroups();
};

/**
 * Which members a group request needs: a PATCH whose operations only add or remove named members
 * (or touch no members) loads just those; anything else (replace all members, remove all) needs
 * all of them. A request that excludes members from its answer loads none to read.
 */
export const memberScopeOf = (method: string, isGroup: boolean, body: unknown, excludesMembers: boolean): MemberScope => {
  if (isGroup && method === 'PATCH') {
    const operations = (body as { Operations?: unknown } | null)?.Operations;
    if (!Array.isArray(operations)) return 'all';
    const named: string[] = [];
    for (const operation of operations as Array<{ op?: unknown; path?: unknown; value?: unknown }>) {
      const op = String(operation.op ?? '').toLowerCase();
      const path = typeof operation.path === 'string' ? operation.path.trim() : '';
      const byValue = /^members\[\s*value\s+eq\s+"([^"]+)"\s*\]$/i.exec(path);
      if (byValue?.[1]) named.push(byValue[1]);
      else if (path.toLowerCase() === 'members' && (op === 'add' || (op === 'remove' && Array.isArray(operation.value)))) named.push(...memberIds(operation.value));
      else if (path === '' && op === 'add') named.push(...memberIds((operation.value as { members?: unknown } | null)?.members));
      else if (path.toLowerCase().startsWith('members') || (path === '' && (operation.value as { members?: unknown } | null)?.members !== undefined)) return 'all';
    }
    return named;
  }
  return excludesMembers ? 'none' : 'all';
};
