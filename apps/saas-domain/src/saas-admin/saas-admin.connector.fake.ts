import { type AppAccess, type SaasAdminConnector, SaasAdminRejectedError, type SeatLicence } from './saas-admin.connector';

/** The SaaS admin tools in memory, for service tests: one user per app and account, with switches for a refusal and for seats that do not stick. */
export class InMemorySaasAdmin implements SaasAdminConnector {
  readonly access = new Map<string, AppAccess>();
  readonly seats = new Map<string, SeatLicence>();
  /** The admin tool refuses every change (a refusal: the step fails). */
  refuse = false;
  /** The admin tool answers success to a seat assignment and changes nothing. */
  ignoreSeats = false;

  async ensureAccess(app: string, accountId: string, role: string): Promise<void> {
    this.check(app);
    const user = this.access.get(key(app, accountId));
    this.access.set(key(app, accountId), { app, accountId, role, active: true, licence: user?.licence ?? null });
  }

  async ensureLicence(app: string, accountId: string, licence: string): Promise<void> {
    this.check(app);
    const user = this.access.get(key(app, accountId));
    if (!user) throw new SaasAdminRejectedError(`${app} has no user ${accountId}`);
    this.access.set(key(app, accountId), { ...user, licence });
  }

  async readAccess(app: string, accountId: string): Promise<AppAccess | null> {
    return this.access.get(key(app, accountId)) ?? null;
  }

  async revokeAccess(app: string, accountId: string): Promise<void> {
    this.check(app);
    this.access.delete(key(app, accountId));
    this.seats.delete(key(app, accountId));
  }

  async ensureSeats(app: string, accountId: string, licenceType: string, seats: number): Promise<void> {
    this.check(app);
    if (!this.access.has(key(app, accountId))) throw new SaasAdminRejectedError(`${app} has no user ${accountId}`);
    if (!this.ignoreSeats) this.seats.set(key(app, accountId), { licenceType, seats, active: true });
  }

  async readSeats(app: string, accountId: string): Promise<SeatLicence | null> {
    return this.seats.get(key(app, accountId)) ?? null;
  }

  async removeSeats(app: string, accountId: string): Promise<void> {
    this.check(app);
    this.seats.delete(key(app, accountId));
  }

  private check(app: string): void {
    if (this.refuse) throw new SaasAdminRejectedError(`${app} refused the change`);
  }
}

const key = (app: string, accountId: string) => `${app}:${accountId}`;
