import { targetRefusal } from '@closeloop/participant';

/** The identity directory (IAM) as the identity domain sees it. A real connector replaces the simulator. */
export interface DirectoryAccount {
  readonly accountId: string;
  readonly employeeId: string;
  readonly email: string;
  readonly enabled: boolean;
  readonly groups: readonly string[];
  /** Sessions signed in and not ended: each one can still reach what the account reaches. */
  readonly activeSessions: number;
}

export interface NewAccount {
  readonly employeeId: string;
  readonly email: string;
  readonly displayName: string;
}

export interface DirectoryConnector {
  /** Creates and enables the account, or returns the existing one: repeating it creates no duplicate. */
  ensureAccount(account: NewAccount): Promise<{ accountId: string }>;
  /** Adds the account to each group it is not in yet. */
  ensureGroups(accountId: string, employeeId: string, groups: readonly string[]): Promise<void>;
  /** Reads the account back from the directory. */
  readAccount(accountId: string): Promise<DirectoryAccount | null>;
  /** Compensation: disables the employee's account and removes all its groups; null when there is none. */
  disableAccount(employeeId: string): Promise<{ accountId: string } | null>;
  /** Looks up the employee's existing account; null when the directory has none. */
  findAccount(employeeId: string): Promise<DirectoryAccount | null>;
  /** Adds the account to `add` and takes it out of `remove`; groups already so are left alone, so repeating it changes nothing. */
  changeGroups(accountId: string, employeeId: string, change: GroupChange): Promise<void>;
  /** Enables or disables the account (a disabled account cannot sign in); one already so is left alone, so repeating it changes nothing. */
  setEnabled(accountId: string, employeeId: string, enabled: boolean): Promise<void>;
  /** Ends every active session of the account (the user must sign in again); how many it ended, 0 when none was left. */
  revokeSessions(accountId: string, employeeId: string): Promise<number>;
}

export interface GroupChange {
  readonly add: readonly string[];
  readonly remove: readonly string[];
}

export const DIRECTORY_CONNECTOR = Symbol('DIRECTORY_CONNECTOR');

/** The directory refused the change; the reason is the directory's own message. */
export class DirectoryRejectedError extends Error {
  override name = 'DirectoryRejectedError';
}

/** The directory's refusals: a step's failure, not a reason to try the batch again. */
export const DIRECTORY_REFUSAL = targetRefusal(DirectoryRejectedError);
