import { notUndone, undone, type UndoResult } from '@closeloop/participant';
import type { EntityManager } from 'typeorm';

import { SAAS_REFUSAL, type SaasAdminConnector } from '../saas-admin/saas-admin.connector';
import type { AppChangesRepository } from './app-changes.repository';
import { type AccessBefore, describeUndo, type PriorAccess, priorAccess, restoreMismatch, undoPlan } from './app-undo.domain';

/** Sets one app back for the account: no access, or the role (and licence) it had. */
export const restoreApp = async (saas: SaasAdminConnector, app: string, accountId: string, want: PriorAccess, employeeId: string): Promise<void> => {
  if (!want) return saas.revokeAccess(app, accountId, employeeId);
  if (want.licence === null) {
    // No call takes a licence away alone: revoke, then grant the role without one.
    await saas.revokeAccess(app, accountId, employeeId);
    return saas.ensureAccess(app, accountId, want.role, employeeId);
  }
  await saas.ensureAccess(app, accountId, want.role, employeeId);
  await saas.ensureLicence(app, accountId, want.licence, employeeId);
};

/** What each app holds for the account before a journey changes any; null when the SaaS admin refuses (the step itself reports that). */
export const readAppsBefore = (saas: SaasAdminConnector, apps: readonly string[], accountId: string): Promise<AccessBefore | null> =>
  SAAS_REFUSAL.means(
    () => null,
    async () => {
      const readBacks = await Promise.all(apps.map((app) => saas.readAccess(app, accountId)));
      return Object.fromEntries(apps.map((app, i) => [app, priorAccess(readBacks[i] ?? null)]));
    },
  );

/** A journey's changes to an account's apps, as recorded before it made them. */
export interface AppsChanged {
  readonly requestId: string;
  readonly accountId: string;
  readonly employeeId: string;
  /** The apps the journey touched. */
  readonly apps: readonly string[];
  readonly accessBefore: AccessBefore;
  readonly beforeAt?: Date | null;
}

/**
 * Undoes a journey's own changes to an account's apps (see `undoPlan`): each app back to what it
 * held before, except one another journey changed since. Reads every app back; a refusal or a
 * read-back that disagrees confirms nothing.
 */
export const undoAppChanges = async (saas: SaasAdminConnector, appChanges: AppChangesRepository, tx: EntityManager, change: AppsChanged): Promise<UndoResult> => {
  const { requestId, accountId, employeeId, beforeAt } = change;
  const touched = beforeAt ? await appChanges.appsTouchedSince(tx, accountId, requestId, beforeAt) : new Map<string, string[]>();
  const plan = undoPlan(change.apps, change.accessBefore, touched);
  return SAAS_REFUSAL.means(
    (error) => notUndone(error.message),
    async () => {
      for (const { app, want } of plan.targets) await restoreApp(saas, app, accountId, want, employeeId);
      const mismatch = restoreMismatch(plan.targets, await Promise.all(plan.targets.map(({ app }) => saas.readAccess(app, accountId))));
      return mismatch ? notUndone(mismatch) : undone(describeUndo(accountId, plan));
    },
  );
};
