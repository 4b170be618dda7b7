import { DEVICE_REPLACEMENT_V1 } from '@closeloop/contracts';

import type { AssetRecord } from '../device-management/device-management.connector';
import {
  decideReconciliation,
  decideRetirement,
  holdsValues,
  itsmRestoreMismatch,
  readyToReconcile,
  reconciledValues,
  RECONCILIATION,
  REPLACEMENT,
  type ReplacementRecord,
  RETIREMENT,
  retirementBlocker,
} from './replacement.domain';

const order = { requestId: 'r-1', employeeId: 'E1', retiredAssetTag: 'AT-OLD', reason: 'broken', itsmRecordId: 'RITM1' };
const asset = (overrides: Partial<AssetRecord> = {}): AssetRecord => ({
  assetTag: 'AT-OLD',
  serialNumber: 'SN-OLD',
  model: 'laptop-14',
  status: 'assigned',
  assignedTo: 'E1',
  retiredReason: null,
  retiredFor: null,
  returnedFor: null,
  ...overrides,
});

describe('the device-replacement steps', () => {
  it('are the device steps of the definition, the reconciliation after the other two', () => {
    const steps = DEVICE_REPLACEMENT_V1.steps;
    for (const own of [REPLACEMENT, RETIREMENT, RECONCILIATION]) expect(steps.find((s) => s.name === own.step)).toMatchObject({ owner: own.owner });
    expect(steps.find((s) => s.name === RECONCILIATION.step)?.after).toEqual([REPLACEMENT.step, RETIREMENT.step]);
  });
});

describe('retirementBlocker', () => {
  it('lets the subject retire the asset in their hands, or one this request already retired', () => {
    expect(retirementBlocker(order, asset())).toBeNull();
    expect(retirementBlocker(order, asset({ status: 'retired', retiredReason: 'broken', retiredFor: 'r-1' }))).toBeNull();
  });

  it('refuses an asset asset management does not know, saying so', () => {
    expect(retirementBlocker(order, null)).toEqual({
      kind: 'failed',
      code: 'PROVISIONING_FAILED',
      reason: 'asset AT-OLD is not in asset management: there is no such device to retire',
    });
  });

  it('refuses an asset in someone else’s hands, in stock, or retired by another request', () => {
    expect(retirementBlocker(order, asset({ assignedTo: 'E2' }))?.reason).toBe('asset AT-OLD is assigned to E2, not in the hands of E1: it cannot be retired for this request');
    expect(retirementBlocker(order, asset({ status: 'in_stock', assignedTo: null }))?.reason).toContain('is in stock');
    expect(retirementBlocker(order, asset({ status: 'retired', retiredReason: 'lost', retiredFor: 'r-0' }))?.reason).toContain('already retired (lost)');
  });
});

describe('decideRetirement', () => {
  it('verifies an asset read back as retired with the reason', () => {
    expect(decideRetirement(order, asset({ status: 'retired', retiredReason: 'broken', retiredFor: 'r-1' }))).toEqual({ kind: 'verified', assetTag: 'AT-OLD', reason: 'broken' });
  });

  it('catches asset management saying yes and leaving the asset in service', () => {
    expect(decideRetirement(order, asset())).toEqual({ kind: 'failed', code: 'VERIFICATION_MISMATCH', reason: 'read-back disagrees: asset AT-OLD is assigned, not retired' });
    expect(decideRetirement(order, asset({ status: 'retired', retiredReason: 'lost' }))).toMatchObject({ reason: 'read-back disagrees: retired as lost instead of broken' });
  });
});

describe('readyToReconcile', () => {
  const record: ReplacementRecord = {
    ...order,
    model: 'laptop-14',
    replacement: { status: 'verified', assetTag: 'AT-NEW' },
    retirement: { status: 'verified' },
    reconciliation: { status: 'pending' },
    itsmBefore: null,
    compensating: false,
  };
  it('opens once the replacement and the retirement are both verified', () => {
    expect(readyToReconcile(record)).toBe(true);
    expect(readyToReconcile({ ...record, retirement: { status: 'failed' } })).toBe(false);
    expect(readyToReconcile({ ...record, replacement: { status: 'pending' } })).toBe(false);
  });
  it('never once compensation has started', () => {
    expect(readyToReconcile({ ...record, compensating: true })).toBe(false);
  });
});

describe('decideReconciliation', () => {
  const itsm = { recordId: 'RITM1', ...reconciledValues('AT-NEW', 'AT-OLD') };
  const assigned = asset({ assetTag: 'AT-NEW' });
  const retired = asset({ status: 'retired', retiredReason: 'broken', retiredFor: 'r-1' });

  it('verifies when the ITSM record and both asset records agree', () => {
    expect(decideReconciliation(order, 'AT-NEW', { itsm, assigned, retired })).toEqual({ kind: 'verified', assignedAssetTag: 'AT-NEW', retiredAssetTag: 'AT-OLD' });
  });

  it('names everything that disagrees', () => {
    const stale = { recordId: 'RITM1', state: 'open' as const, assignedAssetTag: 'AT-OLD', retiredAssetTag: null };
    expect(decideReconciliation(order, 'AT-NEW', { itsm: stale, assigned: { ...assigned, assignedTo: 'E2' }, retired: asset() })).toEqual({
      kind: 'failed',
      code: 'VERIFICATION_MISMATCH',
      reason:
        'read-back disagrees: RITM1 names AT-OLD as assigned instead of AT-NEW; RITM1 names no asset as retired instead of AT-OLD; RITM1 is open, not fulfilled; asset AT-NEW is assigned to E2, not assigned to E1; asset AT-OLD is assigned to E1, not retired',
    });
    expect(decideReconciliation(order, 'AT-NEW', { itsm: null, assigned: null, retired: null })).toMatchObject({
      reason: 'read-back disagrees: the ITSM system has no record RITM1; asset AT-NEW is not in asset management; asset AT-OLD is not in asset management',
    });
  });
});

describe('ITSM compensation', () => {
  const before = { state: 'open' as const, assignedAssetTag: 'AT-OLD', retiredAssetTag: null };
  it('sets the record back only when it holds what the journey wrote', () => {
    expect(holdsValues({ recordId: 'RITM1', ...reconciledValues('AT-NEW', 'AT-OLD') }, reconciledValues('AT-NEW', 'AT-OLD'))).toBe(true);
    expect(holdsValues({ recordId: 'RITM1', ...before }, reconciledValues('AT-NEW', 'AT-OLD'))).toBe(false);
    expect(holdsValues(null, reconciledValues('AT-NEW', 'AT-OLD'))).toBe(false);
  });
  it('checks the read-back against the values from before', () => {
    expect(itsmRestoreMismatch(before, { recordId: 'RITM1', ...before })).toBeNull();
    expect(itsmRestoreMismatch(before, { recordId: 'RITM1', ...reconciledValues('AT-NEW', 'AT-OLD') })).toBe(
      'the ITSM record holds fulfilled/AT-NEW/AT-OLD instead of open/AT-OLD/-',
    );
  });
});
