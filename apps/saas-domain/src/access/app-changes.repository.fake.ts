import { assertOpen } from '@closeloop/participant/testing';
import type { EntityManager } from 'typeorm';

/** What the journeys of the service did to accounts' apps, in memory, for service tests: as the test sets it. */
export class InMemoryAppChanges {
  /** Account to app to the journeys that changed it. */
  readonly touched = new Map<string, Map<string, string[]>>();
  /** Employee to the apps the journeys named for them, and their accounts. */
  readonly named = new Map<string, { apps: string[]; accountIds: string[] }>();
  /** Every account locked, in order. */
  readonly locked: string[] = [];

  async lockAccounts(tx: EntityManager, accountIds: ReadonlyArray<string | null>): Promise<void> {
    assertOpen(tx);
    this.locked.push(...accountIds.filter((id): id is string => id !== null));
  }

  async appsTouchedSince(tx: EntityManager, accountId: string, requestId: string, _since: Date): Promise<Map<string, string[]>> {
    assertOpen(tx);
    const touched = new Map<string, string[]>();
    for (const [app, by] of this.touched.get(accountId) ?? []) {
      const others = by.filter((journey) => journey !== requestId);
      if (others.length > 0) touched.set(app, others);
    }
    return touched;
  }

  async namedFor(tx: EntityManager, employeeIds: readonly string[]): Promise<Map<string, { apps: string[]; accountIds: string[] }>> {
    assertOpen(tx);
    return new Map(employeeIds.map((id) => [id, this.named.get(id) ?? { apps: [], accountIds: [] }]));
  }

  /** Another journey changed the account's app. */
  touch(accountId: string, app: string, requestId: string): void {
    const apps = this.touched.get(accountId) ?? new Map<string, string[]>();
    apps.set(app, [...(apps.get(app) ?? []), requestId]);
    this.touched.set(accountId, apps);
  }
}
