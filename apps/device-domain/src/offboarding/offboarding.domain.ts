import type { StepFailureCode } from '@closeloop/contracts';
import { OFFBOARDING_V1, ownStep } from '@closeloop/contracts';

import type { AssetRecord } from '../device-management/device-management.connector';
import type { ItsmRecord } from '../itsm/itsm.connector';

/*
 * The device steps of a leaver's offboarding (OFFBOARDING_V1).
 *
 * device-return: starts with the request. Every asset asset management has assigned to the
 * leaver is logged as returned; verified when every one of them reads back returned and nothing
 * is assigned to the leaver any more. A leaver who holds no asset has nothing to return: the
 * return is verified with no asset, since what it proves (nothing left assigned) holds. Its
 * compensation (the employee stays) assigns the assets this journey logged as returned to the
 * employee again, as they held them before, and confirms only when they read back assigned.
 *
 * itsm-closure: starts once all four steps before it are verified (identity's account, saas's
 * app access, facilities' badge, and this service's own device return), whatever order their
 * events arrive in; each is recorded with the employee its event names, and one verified for
 * someone other than the leaver keeps the record open (VERIFICATION_MISMATCH). Verified when the
 * ITSM record reads back closed.
 *
 * Decisions:
 * - The ITSM record must exist: a closure never opens a record in order to close it. When the
 *   ITSM system has no record of that id, the closure fails (PROVISIONING_FAILED, naming the
 *   record), so assurance retries it and then escalates it to the service desk, whose person
 *   finds the leaver's record.
 * - The closure has no automatic undo (compensatedBy: null): a cancelled offboarding never
 *   reopens the record here; assurance sends a person. Once the return is being compensated, the
 *   closure no longer starts, whatever arrives late.
 */

export const DEVICE_RETURN = ownStep('device', OFFBOARDING_V1, 'device-return');
export const ITSM_CLOSURE = ownStep('device', OFFBOARDING_V1, 'itsm-closure');
export type OffboardingStep = 'device-return' | 'itsm-closure';

/** What the ITSM closure waits for, as the definition says: account, app-access, badge and device-return. */
export const CLOSURE_PREDECESSORS: readonly string[] = OFFBOARDING_V1.steps.find((s) => s.name === ITSM_CLOSURE.step)?.after ?? [];

export type StepStatus = 'pending' | 'verified' | 'failed' | 'compensated';
export interface StepState {
  readonly status: StepStatus;
  readonly failure?: { readonly code: StepFailureCode; readonly reason: string } | null;
}
export interface Failed {
  readonly kind: 'failed';
  readonly code: StepFailureCode;
  readonly reason: string;
}

/** The steps before the closure seen verified, each with the employee its event names (null when it names none, as a person's evidence may not). */
export type Predecessors = Readonly<Record<string, string | null>>;

/** The device service's record of one offboarding. */
export interface OffboardingRecord {
  readonly requestId: string;
  /** The leaver and the ITSM record, from the request; null while only another owner's event has arrived. */
  readonly employeeId: string | null;
  readonly itsmRecordId: string | null;
  readonly deviceReturn: StepState;
  readonly itsmClosure: StepState;
  /** The assets assigned to the leaver before the return (every attempt's added); null until read. */
  readonly assetsBefore: readonly string[] | null;
  readonly predecessors: Predecessors;
  /** Compensation has started: no forward work any more. */
  readonly compensating: boolean;
}

export type ReturnDecision = { readonly kind: 'verified'; readonly employeeId: string; readonly assets: readonly string[] } | Failed;
export type ClosureDecision = { readonly kind: 'verified'; readonly itsmRecordId: string } | Failed;

const failed = (code: StepFailureCode, reason: string): Failed => ({ kind: 'failed', code, reason });

const REQUEST_NOT_ARRIVED = failed('PROVISIONING_FAILED', 'the offboarding request has not arrived: the leaver and the ITSM record are not known yet');

/** The step before the closure that an event of this topic completes; undefined for any other topic. */
export const predecessorOfTopic = (topic: string): string | undefined =>
  OFFBOARDING_V1.steps.find((s) => CLOSURE_PREDECESSORS.includes(s.name) && s.completedBy.topic === topic)?.name;

/** The steps before the closure that assurance's evidence (a retry carries it) shows verified, each with the employee it names. */
export const predecessorsInEvidence = (evidence: Readonly<Record<string, Readonly<Record<string, unknown>>>>): Predecessors =>
  Object.fromEntries(
    Object.entries(evidence).flatMap(([topic, payload]) => {
      const step = predecessorOfTopic(topic);
      const employeeId = payload['employeeId'];
      return step ? [[step, typeof employeeId === 'string' ? employeeId : null]] : [];
    }),
  );

/** The steps before the closure not verified yet: another owner's until its event (or evidence) arrives, the return until verified here. */
export const awaitedPredecessors = (record: OffboardingRecord): string[] =>
  CLOSURE_PREDECESSORS.filter((name) => !(name in record.predecessors) && !(name === DEVICE_RETURN.step && record.deviceReturn.status === 'verified'));

/** The closure opens (its first attempt) once all four steps before it are verified, and never once compensation has started. */
export const closureOpens = (record: OffboardingRecord): boolean => !record.compensating && record.itsmClosure.status === 'pending' && awaitedPredecessors(record).length === 0;

export interface ReturnOrder {
  readonly kind: 'ready';
  readonly employeeId: string;
  readonly assets: readonly string[];
}

/** What the return logs: the assets the leaver held, once they are kept (so compensation knows what to give back); nothing before. */
export const returnOrderOf = (record: OffboardingRecord): ReturnOrder | Failed => {
  if (record.employeeId === null) return REQUEST_NOT_ARRIVED;
  if (record.assetsBefore === null) {
    return failed('PROVISIONING_FAILED', `the assets of ${record.employeeId} could not be read before the return, so none was logged as returned; the next attempt reads them first`);
  }
  return { kind: 'ready', employeeId: record.employeeId, assets: record.assetsBefore };
};

const describe = (asset: AssetRecord): string => (asset.status === 'in_stock' ? 'in stock' : `${asset.status} (${asset.assignedTo ?? 'nobody'})`);

/**
 * Verified only when asset management, read back, shows every asset the leaver held logged as
 * returned (`readBacks`, in the order's order) and no asset assigned to the leaver any more.
 */
export const decideReturn = (order: ReturnOrder, readBacks: ReadonlyArray<AssetRecord | null>, stillAssigned: readonly AssetRecord[]): ReturnDecision => {
  const problems = order.assets.flatMap((tag, i) => {
    const asset = readBacks[i];
    if (!asset) return [`asset ${tag} is no longer in asset management`];
    return asset.status === 'returned' ? [] : [`asset ${tag} is ${describe(asset)}, not returned`];
  });
  if (stillAssigned.length > 0) problems.push(`${stillAssigned.map((a) => a.assetTag).join(', ')} still assigned to ${order.employeeId}`);
  return problems.length > 0
    ? failed('VERIFICATION_MISMATCH', `read-back disagrees: ${problems.join('; ')}`)
    : { kind: 'verified', employeeId: order.employeeId, assets: [...new Set(order.assets)].sort() };
};

/** The assets this journey logged as returned, of those read back: what its compensation assigns again (never another journey's return). */
export const returnedBy = (requestId: string, assets: ReadonlyArray<AssetRecord | null>): AssetRecord[] =>
  assets.filter((a): a is AssetRecord => a !== null && a.status === 'returned' && a.returnedFor === requestId);

/** Null when every asset, read back, is assigned to the employee again; otherwise what disagrees. */
export const reassignmentMismatch = (employeeId: string, tags: readonly string[], readBacks: ReadonlyArray<AssetRecord | null>): string | null => {
  const problems = tags.flatMap((tag, i) => {
    const asset = readBacks[i];
    if (!asset) return [`asset ${tag} is no longer in asset management`];
    return asset.status === 'assigned' && asset.assignedTo === employeeId ? [] : [`asset ${tag} is ${describe(asset)}, not assigned to ${employeeId}`];
  });
  return problems.length > 0 ? problems.join('; ') : null;
};

export interface ClosureOrder {
  readonly kind: 'ready';
  readonly employeeId: string;
  readonly itsmRecordId: string;
}

/**
 * The ITSM record to close, or why it cannot be closed: not before all four steps before it are
 * verified, and not when one of them was verified for someone other than the leaver.
 */
export const closureOrderOf = (record: OffboardingRecord): ClosureOrder | Failed => {
  const { employeeId, itsmRecordId } = record;
  if (employeeId === null || itsmRecordId === null) return REQUEST_NOT_ARRIVED;
  const awaited = awaitedPredecessors(record);
  if (awaited.length > 0) {
    return failed('PROVISIONING_FAILED', `the ITSM record ${itsmRecordId} is closed only once ${CLOSURE_PREDECESSORS.join(', ')} are verified; not yet: ${awaited.join(', ')}`);
  }
  const strangers = Object.entries(record.predecessors).filter(([, about]) => about !== null && about !== employeeId);
  if (strangers.length > 0) {
    const which = strangers.map(([step, about]) => `${step} was verified for ${about}`).join('; ');
    return failed('VERIFICATION_MISMATCH', `${which}, not for the leaver ${employeeId}: the ITSM record ${itsmRecordId} is not closed`);
  }
  return { kind: 'ready', employeeId, itsmRecordId };
};

/** The ITSM system has no record of that id: nothing is closed, and none is opened to be closed. */
export const noSuchItsmRecord = (itsmRecordId: string): Failed =>
  failed('PROVISIONING_FAILED', `the ITSM system has no record ${itsmRecordId}: there is nothing to close, and none is opened to close it; the service desk must find the leaver's record`);

/** Verified only when the ITSM record, read back, is closed. */
export const decideClosure = (itsmRecordId: string, readBack: ItsmRecord | null): ClosureDecision => {
  if (!readBack) return failed('VERIFICATION_MISMATCH', `read-back disagrees: the ITSM record ${itsmRecordId} is gone`);
  return readBack.state === 'closed' ? { kind: 'verified', itsmRecordId } : failed('VERIFICATION_MISMATCH', `read-back disagrees: the ITSM record ${itsmRecordId} is ${readBack.state}, not closed`);
};
