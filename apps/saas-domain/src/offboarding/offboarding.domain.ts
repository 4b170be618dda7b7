import type { StepFailureCode } from '@closeloop/contracts';
import { OFFBOARDING_V1, ownStep } from '@closeloop/contracts';

import { describeRestored, leftAloneOf, type UndoPlan } from '../access/app-undo.domain';
import { type AppUser, describeAttribute, describeValue, differingAttributes, type UserAccess } from '../saas-admin/user-access';

/** The SaaS step of an offboarding (OFFBOARDING_V1): the leaver's app access taken back. */
export const OFFBOARDING_APPS = ownStep('saas', OFFBOARDING_V1, 'app-access');

/*
 * The rules of the step:
 * - Which apps: the request names none. Every app in use is searched for the employee's user
 *   (each app with a SCIM target of its own, and SAAS_APPS), and every app a journey of this
 *   service ever named for the employee (an app this service granted is never left behind, even
 *   one reached only through `*` or the simulator). A user is the employee's by its externalId
 *   (the employee id), else by the employee's email as its userName.
 * - Before anything changes, what each user found holds (active, roles, entitlements and the
 *   licences among them, seats, groups) is recorded in a transaction of its own. The search is
 *   made once and kept: a retry takes back what it found and never mistakes its own earlier
 *   changes for the state before.
 * - Taken back, a user stays in the app but holds nothing: inactive, no role, no entitlement (so
 *   no licence), no seat, in no group. Not deleted: deleting a SaaS user often deletes or hands
 *   over what they own in the app, and compensation could not give the same user back.
 * - Verified only when each app, read back, shows its user holding nothing (or no user at all).
 * - An employee with no user in any app is verified with an empty list: nothing to take back is
 *   a verified state, the search of every app in use being the read-back that shows no access.
 *   An app nobody configured cannot be searched; SAAS_APPS is where it is named.
 * - Compensation (the employee stays) gives each user back exactly what it held before, except
 *   in an app another journey changed since, which is left as it is; it reads each app back and
 *   confirms only when every user holds what it held before. A user deleted in the app since
 *   cannot be given back as it was: nothing is confirmed, and assurance escalates to a person.
 */

export type OffboardingStatus = 'pending' | 'verified' | 'failed' | 'compensated';

/** What each app's user held before the offboarding took anything, by app; an app without the employee's user is absent. */
export type AppsBefore = Readonly<Record<string, AppUser>>;

/** What the SaaS service knows of a leaver. */
export interface Offboarding {
  readonly requestId: string;
  readonly employeeId: string;
  readonly email: string;
  /** Null until the apps were searched (nothing changed yet). */
  readonly appsBefore: AppsBefore | null;
  /** When (database clock) the apps before were recorded. */
  readonly beforeAt?: Date | null;
  readonly status: OffboardingStatus;
}

/** What a user holds once taken back: nothing. */
export const NO_ACCESS: UserAccess = { active: false, roles: [], entitlements: [], seats: null, groups: [] };

/** The apps to search for the leaver: those in use and those a journey named for the employee; sorted, each once. */
export const appsToSearch = (inUse: readonly string[], namedForEmployee: readonly string[]): string[] => [...new Set([...inUse, ...namedForEmployee])].sort();

/** The users found, by app (at most one per app). */
export const byApp = (found: ReadonlyArray<AppUser | null>): AppsBefore => Object.fromEntries(found.flatMap((user) => (user ? [[user.app, user]] : [])));

/** The users recorded, in app order. */
export const usersOf = (before: AppsBefore): AppUser[] => Object.values(before).sort((a, b) => a.app.localeCompare(b.app));

/** The accounts the leaver has in the apps. */
export const accountsOf = (offboarding: Offboarding): string[] => [...new Set(usersOf(offboarding.appsBefore ?? {}).map((u) => u.accountId))];

/** The licences a user holds: its entitlements of type `licence`, and its seat licence. */
export const licencesOf = (access: UserAccess): string[] => [
  ...access.entitlements.filter((e) => e.type === 'licence').map((e) => e.value),
  ...(access.seats ? [`${access.seats.licenceType} (${access.seats.seats} seats)`] : []),
];

/** An app of the verified evidence: its user inactive, without a role, the licences it held reclaimed. */
export interface RevokedApp {
  readonly app: string;
  readonly active: false;
  readonly roles: [];
  readonly reclaimedLicences: string[];
}

export type RevocationDecision =
  | { readonly kind: 'verified'; readonly apps: readonly RevokedApp[] }
  | { readonly kind: 'failed'; readonly code: StepFailureCode; readonly reason: string };

/** What the user, read back, still holds; nothing (or no user at all) is an empty list. */
export const accessLeft = (readBack: AppUser | null): string[] =>
  readBack === null ? [] : differingAttributes(readBack, NO_ACCESS).map((attribute) => (attribute === 'active' ? 'still active' : `${describeAttribute(readBack, attribute)} left`));

/**
 * Verified only when every user taken back, read back from its app, holds nothing: the evidence
 * names each app and the licences reclaimed there. Otherwise every app that still gives access.
 */
export const decideRevocation = (taken: ReadonlyArray<{ readonly before: AppUser; readonly after: AppUser | null }>): RevocationDecision => {
  const problems = taken.flatMap(({ before, after }) => accessLeft(after).map((left) => `${before.app}: ${left}`));
  return problems.length > 0
    ? { kind: 'failed', code: 'VERIFICATION_MISMATCH', reason: `read-back disagrees: ${problems.join('; ')}` }
    : { kind: 'verified', apps: taken.map(({ before }) => ({ app: before.app, active: false, roles: [], reclaimedLicences: licencesOf(before) })) };
};

/** What a compensation gives back: each user as it was, except in an app another journey changed since. */
export interface RestorePlan {
  readonly targets: readonly AppUser[];
  readonly leftAlone: UndoPlan['leftAlone'];
}

/** `touchedByOthers`: app to the other journeys that changed it (for the leaver's account there) since the apps were recorded. */
export const restorePlan = (before: AppsBefore, touchedByOthers: ReadonlyMap<string, readonly string[]> = new Map()): RestorePlan => {
  const users = usersOf(before);
  return { targets: users.filter((u) => !touchedByOthers.has(u.app)), leftAlone: leftAloneOf(users.map((u) => u.app), touchedByOthers) };
};

/** Null when every user, read back, holds what it held before; otherwise what disagrees. */
export const restoreMismatch = (targets: readonly AppUser[], readBacks: ReadonlyArray<AppUser | null>): string | null => {
  const problems = targets.flatMap((want, i) => {
    const got = readBacks[i] ?? null;
    if (!got) return [`${want.app}: user ${want.accountId} is gone`];
    return differingAttributes(got, want).map((attribute) => `${want.app}: ${describeAttribute(got, attribute)} instead of ${describeValue(want, attribute)}`);
  });
  return problems.length > 0 ? problems.join('; ') : null;
};

/** The compensation's own words for what it gave back. */
export const describeRestore = (employeeId: string, plan: RestorePlan): string =>
  describeRestored(
    employeeId,
    plan.targets.map((u) => `${u.app} as before`),
    plan.leftAlone,
  );
