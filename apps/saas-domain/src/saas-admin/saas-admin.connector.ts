/** The SaaS admin tools (Asana, Slack, ...) as the SaaS domain sees them. */
export interface AppAccess {
  readonly app: string;
  readonly accountId: string;
  readonly role: string;
  readonly active: boolean;
  readonly licence: string | null;
}

export interface SaasAdminConnector {
  /** Grants the role in the app, or keeps the existing grant: repeating it creates no duplicate. */
  ensureAccess(app: string, accountId: string, role: string, employeeId: string): Promise<void>;
  /** Assigns the licence, or keeps it when already assigned. */
  ensureLicence(app: string, accountId: string, licence: string, employeeId: string): Promise<void>;
  /** Reads the user back from the app's admin API. */
  readAccess(app: string, accountId: string): Promise<AppAccess | null>;
  /** Compensation: removes the user's access and licence from the app; nothing when already gone. */
  revokeAccess(app: string, accountId: string, employeeId: string): Promise<void>;
}

export const SAAS_ADMIN_CONNECTOR = Symbol('SAAS_ADMIN_CONNECTOR');

/** The SaaS admin tool refused the change; the reason is its own message. */
export class SaasAdminRejectedError extends Error {
  override name = 'SaasAdminRejectedError';
}
