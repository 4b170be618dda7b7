import { failed, notUndone, targetRefusal, undone, type UndoResult } from '@closeloop/participant';
import { Inject, Injectable } from '@nestjs/common';

import { DEVICE_MANAGEMENT_CONNECTOR, type DeviceManagementConnector, DeviceManagementRejectedError } from '../device-management/device-management.connector';
import { type ComplianceDecision, decideCompliance } from '../enrolment/enrolment.domain';
import { ITSM_CONNECTOR, type ItsmConnector, ItsmRejectedError } from '../itsm/itsm.connector';
import {
  decideReconciliation,
  decideRetirement,
  holdsValues,
  itsmRestoreMismatch,
  reconciledValues,
  type ReconciliationDecision,
  type ReplacementRecord,
  type ReplacementStep,
  retirementBlocker,
  type RetirementDecision,
} from './replacement.domain';

/** A refusal of device management or of the ITSM system: a failed step (or an undo not confirmed). */
const REFUSAL = targetRefusal(DeviceManagementRejectedError, ItsmRejectedError);
const ITSM_REFUSAL = targetRefusal(ItsmRejectedError);

/**
 * What each step of a device replacement does in the target systems (device management, asset
 * management, ITSM), and what the read-back says about it. Every call is idempotent, so a retry
 * does only what is missing. A refusal of the target system is a failed step; anything else
 * (the database, a lost connection) is thrown, so the batch is tried again.
 */
@Injectable()
export class ReplacementActions {
  constructor(
    @Inject(DEVICE_MANAGEMENT_CONNECTOR) private readonly devices: DeviceManagementConnector,
    @Inject(ITSM_CONNECTOR) private readonly itsm: ItsmConnector,
  ) {}

  /** Reads the ITSM record as it is, before the journey changes it; null when it cannot be read. */
  readItsmBefore(record: ReplacementRecord) {
    return ITSM_REFUSAL.means(() => null, () => this.itsm.readRecord(record.itsmRecordId, record.employeeId));
  }

  /** A device of the model from stock for this order, enrolled, and its compliance read back from MDM. */
  replace(record: ReplacementRecord): Promise<ComplianceDecision> {
    return REFUSAL.failsStep(async () => {
      const { assetTag } = await this.devices.assignForOrder(record.model, record.employeeId, record.requestId);
      await this.devices.enrol(assetTag, record.employeeId);
      return decideCompliance(record.model, record.employeeId, await this.devices.readDevice(assetTag));
    });
  }

  /** The old asset, in the subject's hands, logged as retired with the reason, and read back. */
  retire(record: ReplacementRecord): Promise<RetirementDecision> {
    return REFUSAL.failsStep(async () => {
      const blocker = retirementBlocker(record, await this.devices.readAsset(record.retiredAssetTag));
      if (blocker) return blocker;
      await this.devices.retireAsset(record.retiredAssetTag, record.reason, record.requestId, record.employeeId);
      return decideRetirement(record, await this.devices.readAsset(record.retiredAssetTag));
    });
  }

  /** The ITSM record updated with the new asset and the retired one; then the ITSM record and both asset records, read back, must agree. */
  async reconcile(record: ReplacementRecord, assignedAssetTag: string): Promise<ReconciliationDecision> {
    if (!record.itsmBefore) {
      return failed('PROVISIONING_FAILED', `the ITSM record ${record.itsmRecordId} could not be read before the change, so nothing was changed; the next attempt reads it first`);
    }
    return REFUSAL.failsStep(async () => {
      await this.itsm.updateRecord(record.itsmRecordId, reconciledValues(assignedAssetTag, record.retiredAssetTag), record.employeeId);
      const [itsm, assigned, retired] = await Promise.all([
        this.itsm.readRecord(record.itsmRecordId, record.employeeId),
        this.devices.readAsset(assignedAssetTag),
        this.devices.readAsset(record.retiredAssetTag),
      ]);
      return decideReconciliation(record, assignedAssetTag, { itsm, assigned, retired });
    });
  }

  /** Undoes one step and reads the target back. */
  undo(step: ReplacementStep, record: ReplacementRecord): Promise<UndoResult> {
    return REFUSAL.means(
      (error) => notUndone(error.message),
      () => {
        switch (step) {
          case 'reconciliation':
            return this.undoReconciliation(record);
          case 'retirement':
            return this.undoRetirement(record);
          case 'replacement':
            return this.undoReplacement(record);
        }
      },
    );
  }

  /** The ITSM record set back to what it said before, if it holds what this journey wrote. */
  private async undoReconciliation(record: ReplacementRecord): Promise<UndoResult> {
    const assignedAssetTag = record.replacement.assetTag;
    const before = record.itsmBefore;
    if (!before || !assignedAssetTag) return undone(`nothing to undo: the ITSM record ${record.itsmRecordId} was never updated`);
    const current = await this.itsm.readRecord(record.itsmRecordId, record.employeeId);
    if (!holdsValues(current, reconciledValues(assignedAssetTag, record.retiredAssetTag))) {
      return undone(`nothing to undo: the ITSM record ${record.itsmRecordId} does not hold this request's update`);
    }
    await this.itsm.updateRecord(record.itsmRecordId, before, record.employeeId);
    const mismatch = itsmRestoreMismatch(before, await this.itsm.readRecord(record.itsmRecordId, record.employeeId));
    return mismatch
      ? notUndone(mismatch)
      : undone(`ITSM record ${record.itsmRecordId} set back to ${before.state} (assigned ${before.assignedAssetTag ?? 'none'}, retired ${before.retiredAssetTag ?? 'none'})`);
  }

  /** The old asset back in service with the subject, if this order retired it. */
  private async undoRetirement(record: ReplacementRecord): Promise<UndoResult> {
    const tag = record.retiredAssetTag;
    const asset = await this.devices.readAsset(tag);
    if (asset?.status !== 'retired' || asset.retiredFor !== record.requestId) return undone(`nothing to undo: asset ${tag} was not retired by this request`);
    await this.devices.returnToService(tag, record.requestId, record.employeeId);
    const readBack = await this.devices.readAsset(tag);
    return readBack?.status === 'assigned' && readBack.assignedTo === record.employeeId
      ? undone(`asset ${tag} back in service with ${record.employeeId}`)
      : notUndone(`asset ${tag} is ${readBack?.status ?? 'gone'} after being put back in service`);
  }

  /** The replacement device unenrolled and back in stock. */
  private async undoReplacement(record: ReplacementRecord): Promise<UndoResult> {
    const released = await this.devices.releaseForOrder(record.requestId, record.employeeId);
    if (!released) return undone('nothing to undo: no replacement device had been assigned');
    const readBack = await this.devices.readDevice(released.assetTag);
    return readBack && (readBack.assignedTo !== null || readBack.enrolled)
      ? notUndone(`device ${released.assetTag} still assigned or enrolled after its release`)
      : undone(`device ${released.assetTag} unenrolled and back in stock`);
  }
}
