import { RetryableError } from '@closeloop/messaging';
import { targetRefusal } from '@closeloop/participant';

import type { AppUser, UserAccess } from './user-access';

/** The SaaS admin tools (Asana, Slack, ...) as the SaaS domain sees them. */
export interface AppAccess {
  readonly app: string;
  readonly accountId: string;
  readonly role: string;
  readonly active: boolean;
  readonly licence: string | null;
  /** The app's groups the user is a member of, as the app reports them (when it does). */
  readonly groups?: readonly string[];
}

/** A licence type with a seat count, as the app's admin tool reports it for one user. */
export interface SeatLicence {
  readonly licenceType: string;
  readonly seats: number;
  /** Whether the user holding the seats is active in the app. */
  readonly active: boolean;
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
  /**
   * Assigns a licence type with a seat count to the app's user, replacing the seats it held;
   * repeating it changes nothing. The user must exist in the app (`ensureAccess` first): an
   * unknown user is a `SaasAdminRejectedError`.
   */
  ensureSeats(app: string, accountId: string, licenceType: string, seats: number, employeeId: string): Promise<void>;
  /** Reads the user's seat licence back from the app's admin API; null when the user or the seats are not there. */
  readSeats(app: string, accountId: string): Promise<SeatLicence | null>;
  /** Compensation: removes the user's seat licence; nothing when the user or the seats are already gone. */
  removeSeats(app: string, accountId: string, employeeId: string): Promise<void>;
  /**
   * The apps to search for an employee's users: each app with a target of its own, and the apps
   * configured as in use (SAAS_APPS). An app reached only through `*` or the simulator, and not
   * configured, cannot be listed: nobody can search an app nobody names.
   */
  appsInUse(): readonly string[];
  /**
   * The employee's user in the app, with everything it holds: the user whose externalId is the
   * employee id (the connector sets it on every user it creates), else the user whose userName is
   * the employee's email, unless that user names another employee. Null when the app has none;
   * two users carrying the employee id is a `SaasAdminRejectedError` (a person decides which).
   */
  findEmployeeUser(app: string, employee: { readonly employeeId: string; readonly email: string }): Promise<AppUser | null>;
  /** Reads the user back, with everything it holds; null when the app has no such user. */
  readUser(app: string, accountId: string): Promise<AppUser | null>;
  /**
   * Makes the user hold exactly `access` (active or not, its roles, entitlements, seats and
   * groups), in as few calls as the app's API allows; nothing when it holds it already, or when
   * the app has no such user (the read-back says so).
   */
  setUserAccess(app: string, accountId: string, access: UserAccess, employeeId: string): Promise<void>;
}

export const SAAS_ADMIN_CONNECTOR = Symbol('SAAS_ADMIN_CONNECTOR');

/** The SaaS admin tool refused the change (it cannot succeed as asked); the reason is its own message. */
export class SaasAdminRejectedError extends Error {
  override name = 'SaasAdminRejectedError';
}

/** The SaaS admin tools' refusals: a step's failure, not a reason to try the batch again. */
export const SAAS_REFUSAL = targetRefusal(SaasAdminRejectedError);

/**
 * The SaaS admin tool did not answer in time, stayed unavailable, or asked to be called again
 * later than the connector waits (Retry-After). Retryable: nothing was decided, so the event is
 * left for redelivery and the work is tried again.
 */
export class SaasAdminUnavailableError extends RetryableError {
  override name = 'SaasAdminUnavailableError';
}
