import { notUndone, targetRefusal, undone, type UndoResult } from '@closeloop/participant';
import { Inject, Injectable } from '@nestjs/common';

import { DEVICE_MANAGEMENT_CONNECTOR, DEVICE_REFUSAL, type DeviceManagementConnector } from '../device-management/device-management.connector';
import { ITSM_CONNECTOR, type ItsmConnector, ItsmRejectedError } from '../itsm/itsm.connector';
import {
  type ClosureDecision,
  closureOrderOf,
  decideClosure,
  decideReturn,
  noSuchItsmRecord,
  type OffboardingRecord,
  reassignmentMismatch,
  type ReturnDecision,
  returnedBy,
  returnOrderOf,
} from './offboarding.domain';

const ITSM_REFUSAL = targetRefusal(ItsmRejectedError);

/**
 * What the device steps of an offboarding do in asset management and in the ITSM system, and
 * what the read-back says about it. Every call is idempotent, so a retry does only what is
 * missing. A refusal of the target system is a failed step (or an undo not confirmed); anything
 * else (the database, a lost connection) is thrown, so the batch is tried again.
 */
@Injectable()
export class OffboardingActions {
  constructor(
    @Inject(DEVICE_MANAGEMENT_CONNECTOR) private readonly devices: DeviceManagementConnector,
    @Inject(ITSM_CONNECTOR) private readonly itsm: ItsmConnector,
  ) {}

  /** The assets assigned to the leaver now, before any is logged as returned; null when asset management cannot be read. */
  readAssetsHeld({ employeeId }: OffboardingRecord): Promise<string[] | null> {
    if (employeeId === null) return Promise.resolve(null);
    return DEVICE_REFUSAL.means(
      () => null,
      async () => (await this.devices.assetsAssignedTo(employeeId)).map((a) => a.assetTag),
    );
  }

  /** Each asset the leaver held logged as returned; then those assets, and what is assigned to the leaver, read back. */
  async takeBack(record: OffboardingRecord): Promise<ReturnDecision> {
    const order = returnOrderOf(record);
    if (order.kind === 'failed') return order;
    return DEVICE_REFUSAL.failsStep(async () => {
      for (const tag of order.assets) await this.devices.logReturned(tag, record.requestId, order.employeeId);
      const [readBacks, stillAssigned] = await Promise.all([this.readAssets(order.assets), this.devices.assetsAssignedTo(order.employeeId)]);
      return decideReturn(order, readBacks, stillAssigned);
    });
  }

  /** The ITSM record closed (never opened to be closed), once the four steps before it are verified, and read back. */
  async close(record: OffboardingRecord): Promise<ClosureDecision> {
    const order = closureOrderOf(record);
    if (order.kind === 'failed') return order;
    return ITSM_REFUSAL.failsStep(async () => {
      if (!(await this.itsm.closeRecord(order.itsmRecordId, order.employeeId))) return noSuchItsmRecord(order.itsmRecordId);
      return decideClosure(order.itsmRecordId, await this.itsm.readRecord(order.itsmRecordId, order.employeeId));
    });
  }

  /**
   * Compensation of the return: the assets this journey logged as returned, of those the leaver
   * held before, assigned to the employee again and read back. Assets another journey returned,
   * or that have moved on since, are left as they are.
   */
  giveBack(record: OffboardingRecord): Promise<UndoResult> {
    const { employeeId, requestId } = record;
    const held = record.assetsBefore ?? [];
    if (employeeId === null || held.length === 0) return Promise.resolve(undone('nothing to undo: no asset was logged as returned'));
    return DEVICE_REFUSAL.means(
      (error) => notUndone(error.message),
      async () => {
        const tags = returnedBy(requestId, await this.readAssets(held)).map((a) => a.assetTag);
        if (tags.length === 0) return undone(`nothing to undo: no asset of ${employeeId} is logged as returned by this journey`);
        for (const tag of tags) await this.devices.assignAgain(tag, requestId, employeeId);
        const mismatch = reassignmentMismatch(employeeId, tags, await this.readAssets(tags));
        return mismatch ? notUndone(mismatch) : undone(`${tags.join(', ')} assigned to ${employeeId} again`);
      },
    );
  }

  private readAssets(tags: readonly string[]) {
    return Promise.all(tags.map((tag) => this.devices.readAsset(tag)));
  }
}
