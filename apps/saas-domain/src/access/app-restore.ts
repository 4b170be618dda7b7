import type { SaasAdminConnector } from '../saas-admin/saas-admin.connector';
import type { PriorAccess } from './app-undo.domain';

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
