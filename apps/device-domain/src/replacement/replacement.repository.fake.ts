import { InMemoryJourneyRecords } from '@closeloop/participant/testing';
import type { EntityManager } from 'typeorm';

import type { ItsmRecordValues } from '../itsm/itsm.connector';
import type { ReplacementRecord } from './replacement.domain';
import type { ReplacementOrder } from './replacement.repository';

const pending = { status: 'pending' as const };

/** The replacement records in memory, with the repository's rules (a remembered ITSM record is kept). */
export class InMemoryReplacementRepository extends InMemoryJourneyRecords<ReplacementOrder, ReplacementRecord> {
  constructor() {
    super({ create: (order) => ({ ...order, replacement: pending, retirement: pending, reconciliation: pending, itsmBefore: null, compensating: false }) });
  }

  async rememberItsmBefore(tx: EntityManager, requestId: string, values: ItsmRecordValues): Promise<void> {
    this.update(tx, requestId, (record) =>
      record.itsmBefore || record.compensating ? record : { ...record, itsmBefore: { state: values.state, assignedAssetTag: values.assignedAssetTag, retiredAssetTag: values.retiredAssetTag } },
    );
  }

  save(tx: EntityManager, record: ReplacementRecord): Promise<void> {
    return this.saveAll(tx, [record]);
  }
}
