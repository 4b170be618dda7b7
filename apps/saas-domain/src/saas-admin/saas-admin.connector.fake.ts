import { type AppAccess, type SaasAdminConnector, SaasAdminRejectedError, SaasAdminUnavailableError, type SeatLicence } from './saas-admin.connector';
import type { AppUser, UserAccess } from './user-access';

/** A user of the fake: everything it holds, and the employee it belongs to (its externalId). */
type FakeUser = Omit<AppUser, 'seats'> & { readonly employeeId: string };

const licenceOf = (user: FakeUser): string | null => user.entitlements.find((e) => e.type === 'licence')?.value ?? null;

/**
 * The SaaS admin tools in memory, for service tests: one user per app and account, with switches
 * for a refusal, for seats that do not stick, and for licences that do not go.
 */
export class InMemorySaasAdmin implements SaasAdminConnector {
  readonly users = new Map<string, FakeUser>();
  readonly seats = new Map<string, SeatLicence>();
  /** The apps configured as in use (`appsInUse`). */
  apps: string[] = [];
  /** The admin tool refuses every change (a refusal: the step fails). */
  refuse = false;
  /** The admin tool answers success to a seat assignment and changes nothing. */
  ignoreSeats = false;
  /** The admin tool answers success to a change of a user's access and keeps its licences and seats. */
  keepLicences = false;
  /** How many changes of a user's access go through before the admin tool stops answering (retryable): a failure half-way. */
  changesBeforeOutage = Number.POSITIVE_INFINITY;

  /** An app's user for an employee, holding what the test says (active, in no group, unless told otherwise). */
  addUser(app: string, accountId: string, employeeId: string, access: Partial<UserAccess> = {}): void {
    const { seats, ...rest } = { active: true, roles: [], entitlements: [], seats: null, groups: [], ...access };
    this.users.set(key(app, accountId), { app, accountId, employeeId, ...rest });
    if (seats) this.seats.set(key(app, accountId), { ...seats, active: rest.active });
  }

  async ensureAccess(app: string, accountId: string, role: string, employeeId = ''): Promise<void> {
    this.check(app);
    const user = this.users.get(key(app, accountId));
    this.users.set(key(app, accountId), { app, accountId, employeeId: user?.employeeId ?? employeeId, entitlements: [], groups: [], ...user, roles: [role], active: true });
  }

  async ensureLicence(app: string, accountId: string, licence: string): Promise<void> {
    this.check(app);
    const user = this.users.get(key(app, accountId));
    if (!user) throw new SaasAdminRejectedError(`${app} has no user ${accountId}`);
    this.users.set(key(app, accountId), { ...user, entitlements: [...user.entitlements.filter((e) => e.type !== 'licence'), { value: licence, type: 'licence', primary: true }] });
  }

  async readAccess(app: string, accountId: string): Promise<AppAccess | null> {
    const user = this.users.get(key(app, accountId));
    return user ? { app, accountId, role: user.roles[0] ?? '', active: user.active, licence: licenceOf(user), groups: user.groups.map((g) => g.name) } : null;
  }

  async revokeAccess(app: string, accountId: string): Promise<void> {
    this.check(app);
    this.users.delete(key(app, accountId));
    this.seats.delete(key(app, accountId));
  }

  async ensureSeats(app: string, accountId: string, licenceType: string, seats: number): Promise<void> {
    this.check(app);
    const user = this.users.get(key(app, accountId));
    if (!user) throw new SaasAdminRejectedError(`${app} has no user ${accountId}`);
    if (!this.ignoreSeats) this.seats.set(key(app, accountId), { licenceType, seats, active: user.active });
  }

  async readSeats(app: string, accountId: string): Promise<SeatLicence | null> {
    return this.seats.get(key(app, accountId)) ?? null;
  }

  async removeSeats(app: string, accountId: string): Promise<void> {
    this.check(app);
    this.seats.delete(key(app, accountId));
  }

  appsInUse(): readonly string[] {
    return this.apps;
  }

  async findEmployeeUser(app: string, employee: { readonly employeeId: string; readonly email: string }): Promise<AppUser | null> {
    const found = [...this.users.values()].filter((u) => u.app === app && u.employeeId === employee.employeeId);
    if (found.length > 1) throw new SaasAdminRejectedError(`${app} has ${found.length} users for employee ${employee.employeeId}`);
    return found[0] ? this.readUser(app, found[0].accountId) : null;
  }

  async readUser(app: string, accountId: string): Promise<AppUser | null> {
    const user = this.users.get(key(app, accountId));
    if (!user) return null;
    const { employeeId: _employee, ...held } = user;
    const seats = this.seats.get(key(app, accountId));
    return { ...held, seats: seats ? { licenceType: seats.licenceType, seats: seats.seats } : null };
  }

  async setUserAccess(app: string, accountId: string, access: UserAccess): Promise<void> {
    this.check(app);
    if (this.changesBeforeOutage <= 0) throw new SaasAdminUnavailableError(`${app} did not answer`);
    this.changesBeforeOutage -= 1;
    const user = this.users.get(key(app, accountId));
    if (!user) return;
    const { active, roles, groups } = access;
    const entitlements = this.keepLicences ? [...access.entitlements.filter((e) => e.type !== 'licence'), ...user.entitlements.filter((e) => e.type === 'licence')] : access.entitlements;
    this.users.set(key(app, accountId), { ...user, active, roles: [...roles], entitlements: [...entitlements], groups: [...groups] });
    if (this.keepLicences) return;
    if (access.seats) this.seats.set(key(app, accountId), { ...access.seats, active });
    else this.seats.delete(key(app, accountId));
  }

  private check(app: string): void {
    if (this.refuse) throw new SaasAdminRejectedError(`${app} refused the change`);
  }
}

const key = (app: string, accountId: string) => `${app}:${accountId}`;
