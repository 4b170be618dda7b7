import { type ItsmConnector, type ItsmRecord, type ItsmRecordValues, ItsmRejectedError } from './itsm.connector';

/** The ITSM system in memory, for service tests: opens unseen records on a read, like the simulator (never on a close); can refuse or ignore updates. */
export class InMemoryItsm implements ItsmConnector {
  readonly records = new Map<string, ItsmRecord>();
  refuse = false;
  ignoreUpdates = false;

  async readRecord(recordId: string): Promise<ItsmRecord | null> {
    if (!this.records.has(recordId)) this.records.set(recordId, { recordId, state: 'open', assignedAssetTag: null, retiredAssetTag: null });
    return this.records.get(recordId) ?? null;
  }

  async updateRecord(recordId: string, values: ItsmRecordValues): Promise<void> {
    if (this.refuse) throw new ItsmRejectedError(`the ITSM system refused to update ${recordId}`);
    if (!this.ignoreUpdates) this.records.set(recordId, { recordId, ...values });
  }

  async closeRecord(recordId: string): Promise<boolean> {
    if (this.refuse) throw new ItsmRejectedError(`the ITSM system refused to close ${recordId}`);
    const record = this.records.get(recordId);
    if (!record) return false;
    if (!this.ignoreUpdates) this.records.set(recordId, { ...record, state: 'closed' });
    return true;
  }
}
