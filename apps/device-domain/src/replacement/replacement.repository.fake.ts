import type { ItsmRecordValues } from '../itsm/itsm.connector';
import type { ReplacementRecord } from './replacement.domain';
import type { ReplacementOrder } from './replacement.repository';

/** The replacement records in memory, with the repository's rules (a remembered ITSM record is kept). */
export class InMemoryReplacementRepository {
  readonly records = new Map<string, ReplacementRecord>();

  async lock(_manager: unknown, orders: readonly ReplacementOrder[]): Promise<Map<string, ReplacementRecord>> {
    for (const order of orders) {
      if (!this.records.has(order.requestId)) {
        const pending = { status: 'pending' as const };
        this.records.set(order.requestId, { ...order, replacement: pending, retirement: pending, reconciliation: pending, itsmBefore: null, compensating: false });
      }
    }
    return new Map(orders.map((o) => [o.requestId, this.records.get(o.requestId) as ReplacementRecord]));
  }

  async rememberItsmBefore(_manager: unknown, requestId: string, values: ItsmRecordValues): Promise<void> {
    const record = this.records.get(requestId);
    if (record && !record.itsmBefore && !record.compensating) {
      this.records.set(requestId, { ...record, itsmBefore: { state: values.state, assignedAssetTag: values.assignedAssetTag, retiredAssetTag: values.retiredAssetTag } });
    }
  }

  async save(_manager: unknown, record: ReplacementRecord): Promise<void> {
    this.records.set(record.requestId, record);
  }
}
