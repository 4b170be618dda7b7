import { InMemoryJourneyRecords } from '@closeloop/participant/testing';
import type { EntityManager } from 'typeorm';

import type { OffboardingRecord } from './offboarding.domain';
import { newOffboarding, type OffboardingHalf, withHalf } from './offboarding.repository';

/** The offboarding records in memory, with the repository's rules (halves merge; the assets held before are only ever added to). */
export class InMemoryOffboardingRepository extends InMemoryJourneyRecords<OffboardingHalf, OffboardingRecord> {
  constructor() {
    super({ create: (half) => withHalf(newOffboarding(half.requestId), half), relock: withHalf });
  }

  async addAssetsBefore(tx: EntityManager, requestId: string, assetTags: readonly string[]): Promise<void> {
    this.update(tx, requestId, (record) => (record.compensating ? record : { ...record, assetsBefore: [...new Set([...(record.assetsBefore ?? []), ...assetTags])].sort() }));
  }

  save(tx: EntityManager, record: OffboardingRecord): Promise<void> {
    return this.saveAll(tx, [record]);
  }
}
