import { InMemoryJourneyRecords } from '@closeloop/participant/testing';
import type { EntityManager } from 'typeorm';

import type { AccountBefore, AccountStepKey, AccountStepRecord } from './account-step.repository';

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
        enabledBefore: null,
        groups: [],
        beforeAt: null,
        failure: null,
        updatedAt: new Date(0),
        verifiedEvent: null,
        change,
      }),
      relock: (row, key) => (row.change === undefined && key.change !== undefined ? { ...row, change: key.change } : row),
    });
  }

  async lockEmployees(_tx: EntityManager, employeeIds: readonly string[]): Promise<void> {
    this.lockedEmployees.push(...employeeIds);
  }

  async rememberBefore(tx: EntityManager, requestId: string, { accountId, enabled, groups }: AccountBefore): Promise<void> {
    const at = this.now();
    this.update(tx, requestId, (row) =>
      row.groupsBefore !== null || row.status === 'compensated' ? row : { ...row, accountId, groupsBefore: [...groups], enabledBefore: enabled, beforeAt: at, activeAt: at },
    );
  }

  async save(tx: EntityManager, records: readonly AccountStepRecord[]): Promise<void> {
    for (const record of records) {
      this.update(tx, record.requestId, (row) =>
        row.status === 'compensated'
          ? row
          : { ...row, accountId: record.accountId ?? row.accountId, status: record.status, groups: record.groups, failure: record.failure, updatedAt: record.updatedAt, verifiedEvent: record.verifiedEvent, activeAt: this.now() },
      );
    }
  }

  async groupsTouchedSince(_tx: EntityManager, employeeId: string, requestId: string, since: Date): Promise<Map<string, string[]>> {
    const asking = this.records.get(requestId);
    const changed = (row: Row | undefined) => [...(row?.change?.remove ?? []), ...(row?.change?.grant ?? [])];
    const touched = new Map<string, string[]>();
    for (const row of this.othersSince(employeeId, requestId, since)) {
      // An offboarding takes every group away: it touched every group the asking journey recorded or changes.
      const groups = row.journeyType === 'offboarding' ? (row.groupsBefore === null ? [] : [...(asking?.groupsBefore ?? []), ...changed(asking)]) : row.journeyType === 'access-change' ? changed(row) : [];
      for (const group of groups) touched.set(group, [...new Set([...(touched.get(group) ?? []), row.requestId])]);
    }
    return touched;
  }

  async offboardedSince(_tx: EntityManager, employeeId: string, requestId: string, since: Date): Promise<string[]> {
    return this.othersSince(employeeId, requestId, since)
      .filter((row) => row.journeyType === 'offboarding' && row.groupsBefore !== null)
      .map((row) => row.requestId);
  }

  /** The other journeys of the employee that acted at or after `since`, in the order they last acted. */
  private othersSince(employeeId: string, requestId: string, since: Date): Row[] {
    return [...this.records.values()]
      .filter((row) => row.employeeId === employeeId && row.requestId !== requestId && row.activeAt !== undefined && row.activeAt >= since)
      .sort((a, b) => (a.activeAt as Date).getTime() - (b.activeAt as Date).getTime());
  }

  private now(): Date {
    this.tick += 1;
    return new Date(this.tick);
  }
}
