import type { StepFailureCode } from '@closeloop/contracts';
import { DEVICE_REPLACEMENT_V1, ownStep } from '@closeloop/contracts';

import type { AssetRecord } from '../device-management/device-management.connector';
import type { ItsmRecord, ItsmRecordValues } from '../itsm/itsm.connector';

/** The device steps of a device replacement (DEVICE_REPLACEMENT_V1). */
export const REPLACEMENT = ownStep('device', DEVICE_REPLACEMENT_V1, 'replacement');
export const RETIREMENT = ownStep('device', DEVICE_REPLACEMENT_V1, 'retirement');
export const RECONCILIATION = ownStep('device', DEVICE_REPLACEMENT_V1, 'reconciliation');
export type ReplacementStep = 'replacement' | 'retirement' | 'reconciliation';

export type StepStatus = 'pending' | 'verified' | 'failed' | 'compensated';
export interface Failure {
  readonly code: StepFailureCode;
  readonly reason: string;
}
export interface StepState {
  readonly status: StepStatus;
  readonly failure?: Failure;
}
export interface ReplacementState extends StepState {
  readonly assetTag?: string;
  readonly serialNumber?: string;
}

/** The device service's record of one replacement: each step's state, and the ITSM record as it was before. */
export interface ReplacementRecord {
  readonly requestId: string;
  readonly employeeId: string;
  readonly model: string;
  readonly itsmRecordId: string;
  readonly retiredAssetTag: string;
  readonly reason: string;
  readonly replacement: ReplacementState;
  readonly retirement: StepState;
  readonly reconciliation: StepState;
  /** The ITSM record's fields before the journey changed anything; null until read. */
  readonly itsmBefore: ItsmRecordValues | null;
  /** Compensation has started: no forward work any more. */
  readonly compensating: boolean;
}

export type Failed = { readonly kind: 'failed' } & Failure;
export type RetirementDecision = { readonly kind: 'verified'; readonly assetTag: string; readonly reason: string } | Failed;
export type ReconciliationDecision = { readonly kind: 'verified'; readonly assignedAssetTag: string; readonly retiredAssetTag: string } | Failed;

const describeHolder = (asset: AssetRecord): string => {
  switch (asset.status) {
    case 'in_stock':
      return 'in stock';
    case 'retired':
      return `already retired (${asset.retiredReason ?? 'no reason'})`;
    case 'returned':
      return `returned by ${asset.assignedTo ?? 'nobody'}`;
    case 'assigned':
      return `assigned to ${asset.assignedTo ?? 'nobody'}`;
  }
};

/**
 * Why the asset cannot be retired for this order, or null when it can: it must be in asset
 * management and in the subject's hands, or already retired by this same order (a retry).
 */
export const retirementBlocker = (order: { requestId: string; employeeId: string; retiredAssetTag: string }, asset: AssetRecord | null): Failed | null => {
  const tag = order.retiredAssetTag;
  if (!asset) return { kind: 'failed', code: 'PROVISIONING_FAILED', reason: `asset ${tag} is not in asset management: there is no such device to retire` };
  if (asset.status === 'retired' && asset.retiredFor === order.requestId) return null;
  if (asset.status !== 'assigned' || asset.assignedTo !== order.employeeId) {
    return { kind: 'failed', code: 'PROVISIONING_FAILED', reason: `asset ${tag} is ${describeHolder(asset)}, not in the hands of ${order.employeeId}: it cannot be retired for this request` };
  }
  return null;
};

/** Verified only when asset management, read back, shows the asset retired with the request's reason. */
export const decideRetirement = (order: { retiredAssetTag: string; reason: string }, readBack: AssetRecord | null): RetirementDecision => {
  if (!readBack) return { kind: 'failed', code: 'VERIFICATION_MISMATCH', reason: `read-back disagrees: asset ${order.retiredAssetTag} is no longer in asset management` };
  const problems: string[] = [];
  if (readBack.status !== 'retired') problems.push(`asset ${readBack.assetTag} is ${readBack.status.replace('_', ' ')}, not retired`);
  else if (readBack.retiredReason !== order.reason) problems.push(`retired as ${readBack.retiredReason ?? 'no reason'} instead of ${order.reason}`);
  return problems.length > 0
    ? { kind: 'failed', code: 'VERIFICATION_MISMATCH', reason: `read-back disagrees: ${problems.join('; ')}` }
    : { kind: 'verified', assetTag: readBack.assetTag, reason: order.reason };
};

/** The reconciliation opens once the replacement is compliant and the old asset retired. */
export const readyToReconcile = (record: ReplacementRecord): boolean =>
  !record.compensating && record.replacement.status === 'verified' && record.retirement.status === 'verified' && record.reconciliation.status !== 'compensated';

/** What the ITSM record says once it agrees with asset management. */
export const reconciledValues = (assignedAssetTag: string, retiredAssetTag: string): ItsmRecordValues => ({ state: 'fulfilled', assignedAssetTag, retiredAssetTag });

/**
 * Verified only when the ITSM record and the asset records, all read back, agree: the record
 * names the new asset and the retired one and is fulfilled, the new asset is assigned to the
 * subject, and the old one is retired.
 */
export const decideReconciliation = (
  order: { itsmRecordId: string; employeeId: string; retiredAssetTag: string },
  assignedAssetTag: string,
  readBack: { itsm: ItsmRecord | null; assigned: AssetRecord | null; retired: AssetRecord | null },
): ReconciliationDecision => {
  const problems: string[] = [];
  const { itsm, assigned, retired } = readBack;
  if (!itsm) problems.push(`the ITSM system has no record ${order.itsmRecordId}`);
  else {
    if (itsm.assignedAssetTag !== assignedAssetTag) problems.push(`${order.itsmRecordId} names ${itsm.assignedAssetTag ?? 'no asset'} as assigned instead of ${assignedAssetTag}`);
    if (itsm.retiredAssetTag !== order.retiredAssetTag) problems.push(`${order.itsmRecordId} names ${itsm.retiredAssetTag ?? 'no asset'} as retired instead of ${order.retiredAssetTag}`);
    if (itsm.state !== 'fulfilled') problems.push(`${order.itsmRecordId} is ${itsm.state}, not fulfilled`);
  }
  if (!assigned) problems.push(`asset ${assignedAssetTag} is not in asset management`);
  else if (assigned.status !== 'assigned' || assigned.assignedTo !== order.employeeId) problems.push(`asset ${assignedAssetTag} is ${describeHolder(assigned)}, not assigned to ${order.employeeId}`);
  if (!retired) problems.push(`asset ${order.retiredAssetTag} is not in asset management`);
  else if (retired.status !== 'retired') problems.push(`asset ${order.retiredAssetTag} is ${describeHolder(retired)}, not retired`);
  return problems.length > 0
    ? { kind: 'failed', code: 'VERIFICATION_MISMATCH', reason: `read-back disagrees: ${problems.join('; ')}` }
    : { kind: 'verified', assignedAssetTag, retiredAssetTag: order.retiredAssetTag };
};

const sameValues = (a: ItsmRecordValues, b: ItsmRecordValues): boolean =>
  a.state === b.state && a.assignedAssetTag === b.assignedAssetTag && a.retiredAssetTag === b.retiredAssetTag;

/** Compensation sets the ITSM record back only when it holds what this journey wrote: otherwise it never changed it, or someone has since. */
export const holdsValues = (itsm: ItsmRecord | null, values: ItsmRecordValues): boolean => itsm !== null && sameValues(itsm, values);

/** Null when the ITSM record, read back, holds its values from before the journey; otherwise what disagrees. */
export const itsmRestoreMismatch = (before: ItsmRecordValues, readBack: ItsmRecord | null): string | null => {
  if (!readBack) return 'the ITSM record is gone';
  return sameValues(before, readBack)
    ? null
    : `the ITSM record holds ${readBack.state}/${readBack.assignedAssetTag ?? '-'}/${readBack.retiredAssetTag ?? '-'} instead of ${before.state}/${before.assignedAssetTag ?? '-'}/${before.retiredAssetTag ?? '-'}`;
};
