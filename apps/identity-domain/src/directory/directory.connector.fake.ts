import { type DirectoryAccount, type DirectoryConnector, DirectoryRejectedError, type GroupChange, type NewAccount } from './directory.connector';

/** The directory in memory, for service tests: the simulator's rules, with switches for a refusal, an outage and a disagreeing read-back. */
export class InMemoryDirectory implements DirectoryConnector {
  readonly accounts = new Map<string, DirectoryAccount>();
  /** The directory refuses every change and look-up (a refusal: the step fails). */
  refuse = false;
  /** The directory cannot be reached (not a refusal: the batch is tried again). */
  unreachable = false;
  /** The directory answers success and changes nothing. */
  ignoreChanges = false;

  /** An account that is already there (made outside the journey under test); an enabled one has signed in once, unless told otherwise. */
  has(employeeId: string, groups: readonly string[], enabled = true, activeSessions = enabled ? 1 : 0): DirectoryAccount {
    const account = { accountId: `u-${employeeId}`, employeeId, email: `${employeeId.toLowerCase()}@acme.test`, enabled, groups: [...groups].sort(), activeSessions };
    this.accounts.set(employeeId, account);
    return account;
  }

  async ensureAccount(account: NewAccount): Promise<{ accountId: string }> {
    this.check(`account ${account.employeeId}`);
    const existing = this.accounts.get(account.employeeId);
    return existing ?? this.has(account.employeeId, [], !this.ignoreChanges);
  }

  async ensureGroups(accountId: string, employeeId: string, groups: readonly string[]): Promise<void> {
    await this.changeGroups(accountId, employeeId, { add: groups, remove: [] });
  }

  async readAccount(accountId: string): Promise<DirectoryAccount | null> {
    this.reach();
    return [...this.accounts.values()].find((a) => a.accountId === accountId) ?? null;
  }

  async disableAccount(employeeId: string): Promise<{ accountId: string } | null> {
    this.reach();
    const account = this.accounts.get(employeeId);
    if (!account) return null;
    this.accounts.set(employeeId, { ...account, enabled: false, groups: [] });
    return { accountId: account.accountId };
  }

  async findAccount(employeeId: string): Promise<DirectoryAccount | null> {
    this.check(`the lookup of ${employeeId}`);
    return this.accounts.get(employeeId) ?? null;
  }

  async changeGroups(_accountId: string, employeeId: string, change: GroupChange): Promise<void> {
    this.check(`the group change of ${employeeId}`);
    const account = this.accounts.get(employeeId);
    if (!account || this.ignoreChanges) return;
    const groups = [...new Set([...account.groups.filter((g) => !change.remove.includes(g)), ...change.add])].sort();
    this.accounts.set(employeeId, { ...account, groups });
  }

  async setEnabled(_accountId: string, employeeId: string, enabled: boolean): Promise<void> {
    this.check(`the ${enabled ? 'enabling' : 'disabling'} of ${employeeId}`);
    const account = this.accounts.get(employeeId);
    if (!account || this.ignoreChanges) return;
    this.accounts.set(employeeId, { ...account, enabled });
  }

  async revokeSessions(_accountId: string, employeeId: string): Promise<number> {
    this.check(`the session revocation of ${employeeId}`);
    const account = this.accounts.get(employeeId);
    if (!account) return 0;
    if (!this.ignoreChanges) this.accounts.set(employeeId, { ...account, activeSessions: 0 });
    return account.activeSessions;
  }

  private reach(): void {
    if (this.unreachable) throw new Error('directory unreachable');
  }

  private check(what: string): void {
    this.reach();
    if (this.refuse) throw new DirectoryRejectedError(`directory refused ${what}`);
  }
}
