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
