/** An entitlement of an app's user (RFC 7643 §4.1.2); a licence is one of type `licence`. */
export interface Entitlement {
  readonly value: string;
  readonly type?: string;
  readonly primary?: boolean;
}

/** A licence type with a seat count held by one user. */
export interface Seats {
  readonly licenceType: string;
  readonly seats: number;
}

/** Everything an app's user holds: what an offboarding takes away, and what its compensation gives back. */
export interface UserAccess {
  readonly active: boolean;
  /** The user's roles, the primary one first. */
  readonly roles: readonly string[];
  readonly entitlements: readonly Entitlement[];
  readonly seats: Seats | null;
  /** The app's groups the user is a member of (each one grants something in the app). */
  readonly groups: ReadonlyArray<{ readonly id: string; readonly name: string }>;
}

/** An app's user, with everything it holds. */
export interface AppUser extends UserAccess {
  readonly app: string;
  /** The user's userName in the app. */
  readonly accountId: string;
}

export type AccessAttribute = 'active' | 'roles' | 'entitlements' | 'seats' | 'groups';

const sameSet = (a: readonly string[], b: readonly string[]): boolean => {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((v) => right.has(v));
};

const entitlementKey = (e: Entitlement): string => `${e.type ?? ''}\u0000${e.value}`;

/**
 * The attributes in which `have` differs from `want`, in a fixed order. Roles differ when the
 * set or the primary role differs; entitlements by type and value; groups by id.
 */
export const differingAttributes = (have: UserAccess, want: UserAccess): AccessAttribute[] => {
  const differs: Record<AccessAttribute, boolean> = {
    active: have.active !== want.active,
    roles: have.roles[0] !== want.roles[0] || !sameSet(have.roles, want.roles),
    entitlements: !sameSet(have.entitlements.map(entitlementKey), want.entitlements.map(entitlementKey)),
    seats: have.seats?.licenceType !== want.seats?.licenceType || have.seats?.seats !== want.seats?.seats,
    groups: !sameSet(
      have.groups.map((g) => g.id),
      want.groups.map((g) => g.id),
    ),
  };
  return (Object.keys(differs) as AccessAttribute[]).filter((attribute) => differs[attribute]);
};

/** One attribute of a user's access, its value in words: `active`, `member, admin`, `3 enterprise`, `none`, ... */
export const describeValue = (access: UserAccess, attribute: AccessAttribute): string => {
  const listed = (values: readonly string[]) => (values.length > 0 ? values.join(', ') : 'none');
  switch (attribute) {
    case 'active':
      return access.active ? 'active' : 'inactive';
    case 'roles':
      return listed(access.roles);
    case 'entitlements':
      return listed(access.entitlements.map((e) => (e.type ? `${e.type} ${e.value}` : e.value)));
    case 'seats':
      return access.seats ? `${access.seats.seats} ${access.seats.licenceType}` : 'none';
    case 'groups':
      return listed(access.groups.map((g) => g.name));
  }
};

/** One attribute of a user's access in words, named: `active`, `roles member, admin`, `seats 3 enterprise`, ... */
export const describeAttribute = (access: UserAccess, attribute: AccessAttribute): string =>
  attribute === 'active' ? describeValue(access, attribute) : `${attribute} ${describeValue(access, attribute)}`;
