import type { AppReadBack } from './access.domain';

/** An app's access for the account before a journey changed it; null when the app did not know the account. */
export type PriorAccess = { readonly role: string; readonly licence: string | null; readonly active: boolean } | null;
/** Each app a journey touches, with its access before the journey, by app. */
export type AccessBefore = Readonly<Record<string, PriorAccess>>;

export const priorAccess = (readBack: AppReadBack | null): PriorAccess => (readBack ? { role: readBack.role, licence: readBack.licence, active: readBack.active } : null);

/**
 * What an app must hold again after compensation: the access it had before, or none. An account
 * that was inactive before is left revoked, not reactivated: compensation never gives access
 * that was not usable before. Looked up as an own entry: an app named like a property every
 * object inherits (`constructor`) is never mistaken for access held before.
 */
export const restoreTarget = (app: string, before: AccessBefore): PriorAccess => {
  const prior = Object.hasOwn(before, app) ? (before[app] ?? null) : null;
  return prior?.active ? prior : null;
};

/** Null when every app, read back, holds its restore target; otherwise what disagrees. */
export const restoreMismatch = (targets: ReadonlyArray<{ app: string; want: PriorAccess }>, readBacks: ReadonlyArray<AppReadBack | null>): string | null => {
  const problems = targets.flatMap(({ app, want }, i) => {
    const got = readBacks[i] ?? null;
    if (!want) return got === null || !got.active ? [] : [`${app}: access still active`];
    if (!got || !got.active) return [`${app}: access not restored`];
    const issues: string[] = [];
    if (got.role !== want.role) issues.push(`role ${got.role} instead of ${want.role}`);
    if (got.licence !== want.licence) issues.push(`licence ${got.licence ?? 'none'} instead of ${want.licence ?? 'none'}`);
    return issues.map((issue) => `${app}: ${issue}`);
  });
  return problems.length > 0 ? problems.join('; ') : null;
};

/** What a compensation sets back, and the apps it leaves alone because another journey changed them since. */
export interface UndoPlan {
  readonly targets: ReadonlyArray<{ readonly app: string; readonly want: PriorAccess }>;
  readonly leftAlone: ReadonlyArray<{ readonly app: string; readonly by: readonly string[] }>;
}

/**
 * Undoing a journey's app changes undoes only its own: each app it touched goes back to what it
 * held before the journey, except an app another journey granted or revoked after this one
 * recorded the apps (`touchedByOthers`, app to journeys). That app is left as it is: undoing this
 * journey must never undo that one (never re-grant an app role another journey took away).
 */
export const undoPlan = (apps: readonly string[], before: AccessBefore, touchedByOthers: ReadonlyMap<string, readonly string[]> = new Map()): UndoPlan => ({
  targets: apps.filter((app) => !touchedByOthers.has(app)).map((app) => ({ app, want: restoreTarget(app, before) })),
  leftAlone: leftAloneOf(apps, touchedByOthers),
});

/** The apps another journey changed since (`touchedByOthers`, app to journeys), each with those journeys. */
export const leftAloneOf = (apps: readonly string[], touchedByOthers: ReadonlyMap<string, readonly string[]>): UndoPlan['leftAlone'] =>
  apps.flatMap((app) => {
    const by = touchedByOthers.get(app);
    return by ? [{ app, by }] : [];
  });

/** What a compensation says it set back (`done`), and what it left alone. */
export const describeRestored = (whose: string, done: readonly string[], leftAlone: UndoPlan['leftAlone']): string => {
  const left = leftAlone.map(({ app, by }) => `${app} (${by.join(', ')})`);
  return `app access of ${whose} restored: ${done.length > 0 ? done.join(', ') : 'nothing to set back'}${left.length > 0 ? `; left alone, changed by another journey since: ${left.join(', ')}` : ''}`;
};

/** The compensation's own words for what it did. */
export const describeUndo = (accountId: string, plan: UndoPlan): string =>
  describeRestored(
    accountId,
    plan.targets.map(({ app, want }) => (want ? `${app} back as ${want.role}` : `${app} revoked`)),
    plan.leftAlone,
  );
