import { InMemoryJourneyRecords } from '@closeloop/participant/testing';
import type { EntityManager } from 'typeorm';

import type { AppsBefore, Offboarding, OffboardingStatus } from './offboarding.domain';
import type { Leaver } from './offboarding.repository';

type Row = Offboarding & { readonly failure: object | null };

/** The leavers in memory, for service tests, with the repository's rules (the apps before, once kept, stay; a compensated record is never overwritten). */
export class InMemoryOffboardingRepository extends InMemoryJourneyRecords<Leaver, Row> {
  constructor() {
    super({ create: (leaver) => ({ ...leaver, appsBefore: null, beforeAt: null, status: 'pending', failure: null }) });
  }

  async merge(tx: EntityManager, leavers: readonly Leaver[], _now: Date): Promise<Offboarding[]> {
    return [...(await this.lock(tx, leavers)).values()].sort((a, b) => a.requestId.localeCompare(b.requestId));
  }

  async rememberBefore(tx: EntityManager, offboarding: Offboarding, before: AppsBefore): Promise<void> {
    this.update(tx, offboarding.requestId, (row) => (row.appsBefore !== null || row.status === 'compensated' ? row : { ...row, appsBefore: before, beforeAt: new Date() }));
  }

  async conclude(tx: EntityManager, requestId: string, status: Exclude<OffboardingStatus, 'pending'>, failure: object | null, _now: Date): Promise<void> {
    this.update(tx, requestId, (row) => (row.status === 'compensated' ? row : { ...row, status, failure }));
  }
}
