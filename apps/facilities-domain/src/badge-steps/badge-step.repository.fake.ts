import { InMemoryJourneyRecords } from '@closeloop/participant/testing';
import type { EntityManager } from 'typeorm';

import type { BadgeStepKey, BadgeStepRecord } from './badge-step.repository';

/** The badge steps in memory, for service tests, with the repository's rules (badges before are only added to; a compensated record is never overwritten). */
export class InMemoryBadgeStepRepository extends InMemoryJourneyRecords<BadgeStepKey, BadgeStepRecord> {
  /** The employees whose badges the transactions locked, in the order asked. */
  readonly lockedEmployees: string[] = [];

  constructor() {
    super({ create: (key) => ({ ...key, status: 'pending', badgeId: null, zones: null, badgesBefore: null, failure: null, updatedAt: new Date(0) }) });
  }

  async lockEmployees(_tx: EntityManager, employeeIds: readonly string[]): Promise<void> {
    this.lockedEmployees.push(...employeeIds);
  }

  async addBadgesBefore(tx: EntityManager, key: BadgeStepKey, badgeIds: readonly string[]): Promise<void> {
    this.update(tx, key.requestId, (r) => (r.status === 'compensated' ? r : { ...r, badgesBefore: [...new Set([...(r.badgesBefore ?? []), ...badgeIds])].sort() }));
  }

  async save(tx: EntityManager, records: readonly BadgeStepRecord[]): Promise<void> {
    for (const record of records) {
      this.update(tx, record.requestId, (r) =>
        r.status === 'compensated' ? r : { ...r, status: record.status, badgeId: record.badgeId ?? r.badgeId, zones: record.zones ?? r.zones, failure: record.failure, updatedAt: record.updatedAt },
      );
    }
  }

  async compensatedOf(_tx: EntityManager, requestIds: readonly string[]): Promise<Set<string>> {
    return new Set(requestIds.filter((id) => this.isCompensated(id)));
  }
}
