/**
 * The roles a caller can hold. A person's come from the token's roles claim (AUTH_ROLES_CLAIM),
 * an API key's are given when it is created.
 * - requester: starts journeys and follows (or cancels) its own;
 * - approver: decides approval tasks, never on its own requests;
 * - operator: works on any journey (sees and cancels them);
 * - auditor: reads everything, changes nothing (journeys, access denials);
 * - admin: manages API keys, and may do what a requester and an operator do.
 */
export const ROLES = ['requester', 'approver', 'operator', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const KNOWN = new Set<string>(ROLES);
export const isRole = (value: unknown): value is Role => typeof value === 'string' && KNOWN.has(value);

/** Who is calling: a person (the token's `sub`) or an upstream system (its API key). */
export interface Principal {
  readonly kind: 'user' | 'api-key';
  /** The person's `sub`, or `api-key:<name>` for an API key; journeys record it as `requestedBy`. */
  readonly id: string;
  readonly roles: readonly Role[];
  /** The person's groups (AUTH_GROUPS_CLAIM), for approver groups; none for an API key. */
  readonly groups: readonly string[];
  /** The person's e-mail (AUTH_EMAIL_CLAIM), when the token carries one: separation of duties compares it with a journey's subject. */
  readonly email?: string | undefined;
  /** The key an upstream system called with, and the admin who created it (separation of duties). */
  readonly apiKey?: { readonly id: string; readonly name: string; readonly createdBy: string } | undefined;
}

/** The `requestedBy` of a journey submitted with an API key: its name, marked so that no person's `sub` can collide with it. */
export const apiKeyPrincipalId = (name: string): string => `api-key:${name}`;

export const hasAnyRole = (principal: Principal, roles: readonly Role[]): boolean => roles.some((role) => principal.roles.includes(role));
