import { InMemoryJourneyRecords } from '@closeloop/participant/testing';
import type { EntityManager } from 'typeorm';

import type { AccountStepKey, AccountStepRecord } from './account-step.repository';

type Row = AccountStepRecord & { readonly change?: AccountStepKey['change']; readonly activeAt?: Date };

/** The account steps in memory, for service tests, with the repository's rules (a snapshot once taken is kept; a compensated record is never overwritten). */
export class InMemoryAccountStepRepository extends InMemoryJourneyRecords<AccountStepKey, Row, AccountStepRecord> {
  /** The employees whose accounts the last transaction locked, in the order asked. */
  readonly lockedEmployees: string[] = [];
  /** Stands in for the database clock. */
  private tick = 0;

  constructor() {
    super({
      create: ({ requestId, journeyType, step, employeeId, change }) => ({
        requestId,
        journeyType,
        step,
        employeeId,
        accountId: null,
        status: 'pending',
        groupsBefore: null,
        groups: [],
        beforeAt: null,
        failure: null,
        updatedAt: new Date(0),
        change,
      }),
      relock: (row, key) => (row.change === undefined && key.change !== undefined ? { ...row, change: key.change } : row),
    });
  }

  async lockEmployees(_tx: EntityManager, employeeIds: readonly string[]): Promise<void> {
    this.lockedEmployees.push(...employeeIds);
  }

  async rememberBefore(tx: EntityManager, requestId: string, accountId: string, groups: readonly string[]): Promise<void> {
    const at = this.now();
    this.update(tx, requestId, (row) => (row.groupsBefore !== null || row.status === 'compensated' ? row : { ...row, accountId, groupsBefore: [...groups], beforeAt: at, activeAt: at }));
  }

  async save(tx: EntityManager, records: readonly AccountStepRecord[]): Promise<void> {
    for (const record of records) {
      this.update(tx, record.requestId, (row) =>
        row.status === 'compensated' ? row : { ...row, accountId: record.accountId ?? row.accountId, status: record.status, groups: record.groups, failure: record.failure, updatedAt: record.updatedAt, activeAt: this.now() },
      );
    }
  }

  async groupsTouchedSince(_tx: EntityManager, employeeId: string, requestId: string, since: Date): Promise<Map<string, string[]>> {
    const touched = new Map<string, string[]>();
    for (const row of this.records.values()) {
      if (row.employeeId !== employeeId || row.requestId === requestId || row.journeyType !== 'access-change' || !row.activeAt || row.activeAt < since) continue;
      for (const group of [...(row.change?.remove ?? []), ...(row.change?.grant ?? [])]) touched.set(group, [...new Set([...(touched.get(group) ?? []), row.requestId])]);
    }
    return touched;
  }

  private now(): Date {
    this.tick += 1;
    return new Date(this.tick);
  }
}
