import { type AppUser, differingAttributes, type UserAccess } from './user-access';

/** SCIM 2.0 (RFC 7643/7644) as the connector speaks it. */
export const SCIM_USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const SCIM_GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const SCIM_PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
/** Seat licences: a schema extension on User (`licenceType`, `seats`); see the README, Connectors. */
export const SCIM_LICENSING_SCHEMA = 'urn:ietf:params:scim:schemas:extension:closeloop:licensing:2.0:User';
/** The `type` of the entitlement that carries a user's licence. */
export const LICENCE_ENTITLEMENT = 'licence';

export interface MultiValue {
  readonly value?: string;
  readonly display?: string;
  readonly type?: string;
  readonly primary?: boolean;
}

export interface ScimUser {
  readonly id: string;
  readonly userName: string;
  readonly externalId?: string;
  readonly active?: boolean;
  readonly roles?: readonly MultiValue[];
  readonly entitlements?: readonly MultiValue[];
  /** Read-only: the groups the user is a member of (RFC 7643 §4.1.2). */
  readonly groups?: readonly MultiValue[];
  readonly [SCIM_LICENSING_SCHEMA]?: { readonly licenceType?: string; readonly seats?: number };
}

export interface PatchOperation {
  readonly op: 'add' | 'remove' | 'replace';
  readonly path?: string;
  readonly value?: unknown;
}

/** A SCIM filter comparing an attribute with a string: the value is a JSON string literal (RFC 7644 §3.4.2.2). */
export const eqFilter = (attribute: string, value: string): string => `${attribute} eq ${JSON.stringify(value)}`;

/** userName is compared case-insensitively (RFC 7643 §4.1.1). */
export const sameUserName = (a: string | undefined, b: string): boolean => a !== undefined && a.toLowerCase() === b.toLowerCase();

/** The user's role: the primary `roles` value, else the first. */
export const primaryRole = (user: ScimUser): string | undefined => (user.roles?.find((r) => r.primary) ?? user.roles?.[0])?.value;

/** The user's licence: the value of its entitlement of type `licence`. */
export const licenceOf = (user: ScimUser): string | null => user.entitlements?.find((e) => e.type === LICENCE_ENTITLEMENT)?.value ?? null;

/** Whether a JSON body is a SCIM user (has an id and a userName). */
export const isScimUser = (body: unknown): body is ScimUser =>
  typeof (body as { id?: unknown } | null)?.id === 'string' && typeof (body as { userName?: unknown } | null)?.userName === 'string';

/** Removes the user's seat licence (its two attributes). */
export const REMOVE_SEATS: readonly PatchOperation[] = [
  { op: 'remove', path: `${SCIM_LICENSING_SCHEMA}:licenceType` },
  { op: 'remove', path: `${SCIM_LICENSING_SCHEMA}:seats` },
];

/** The user's roles, the primary one first. */
export const rolesOf = (user: ScimUser): string[] => {
  const roles = (user.roles ?? []).filter((r): r is MultiValue & { value: string } => typeof r.value === 'string' && r.value !== '');
  const primary = roles.find((r) => r.primary) ?? roles[0];
  return primary ? [primary.value, ...roles.filter((r) => r !== primary).map((r) => r.value)] : [];
};

/** Everything the user holds in the app. */
export const appUserOf = (app: string, user: ScimUser): AppUser => {
  const seats = user[SCIM_LICENSING_SCHEMA];
  return {
    app,
    accountId: user.userName,
    active: user.active === true,
    roles: rolesOf(user),
    entitlements: (user.entitlements ?? []).flatMap((e) =>
      typeof e.value === 'string' ? [{ value: e.value, ...(e.type !== undefined ? { type: e.type } : {}), ...(e.primary !== undefined ? { primary: e.primary } : {}) }] : [],
    ),
    seats: seats?.licenceType ? { licenceType: seats.licenceType, seats: seats.seats ?? 0 } : null,
    groups: (user.groups ?? []).flatMap((g) => (typeof g.value === 'string' ? [{ id: g.value, name: g.display ?? g.value }] : [])),
  };
};

/**
 * The PatchOp operations (RFC 7644 §3.5.2) that make the user's own attributes what `want` says:
 * one operation per attribute that differs, so one PATCH of the user does it all. Group
 * memberships are not among them: `groups` is read-only on a user (RFC 7643 §4.1.2), and is
 * changed through each group.
 */
export const accessPatch = (user: ScimUser, want: UserAccess): PatchOperation[] =>
  differingAttributes(appUserOf('', user), want).flatMap((attribute): PatchOperation[] => {
    switch (attribute) {
      case 'active':
        return [{ op: 'replace', path: 'active', value: want.active }];
      case 'roles':
        return want.roles.length > 0 ? [{ op: 'replace', path: 'roles', value: want.roles.map((value, i) => ({ value, primary: i === 0 })) }] : [{ op: 'remove', path: 'roles' }];
      case 'entitlements':
        return want.entitlements.length > 0 ? [{ op: 'replace', path: 'entitlements', value: want.entitlements.map((e) => ({ ...e })) }] : [{ op: 'remove', path: 'entitlements' }];
      case 'seats':
        return want.seats
          ? [{ op: 'replace', path: SCIM_LICENSING_SCHEMA, value: { licenceType: want.seats.licenceType, seats: want.seats.seats } }]
          : [...REMOVE_SEATS];
      case 'groups':
        return [];
    }
  });
