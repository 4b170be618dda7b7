import { AccessRevokedV1, AccountDisabledV1, BadgeRevokedV1, OFFBOARDING_V1, ReturnLoggedV1 } from '@closeloop/contracts';

import type { AssetRecord } from '../device-management/device-management.connector';
import {
  awaitedPredecessors,
  CLOSURE_PREDECESSORS,
  closureOpens,
  closureOrderOf,
  decideClosure,
  decideReturn,
  DEVICE_RETURN,
  ITSM_CLOSURE,
  noSuchItsmRecord,
  type OffboardingRecord,
  predecessorOfTopic,
  predecessorsInEvidence,
  reassignmentMismatch,
  returnedBy,
  returnOrderOf,
} from './offboarding.domain';

const record = (overrides: Partial<OffboardingRecord> = {}): OffboardingRecord => ({
  requestId: 'r-1',
  employeeId: 'E1',
  itsmRecordId: 'RITM1',
  deviceReturn: { status: 'pending' },
  itsmClosure: { status: 'pending' },
  assetsBefore: ['AT-1', 'AT-2'],
  predecessors: {},
  compensating: false,
  ...overrides,
});
const OTHERS_IN = { account: 'E1', 'app-access': 'E1', badge: 'E1' };
const allIn = (overrides: Partial<OffboardingRecord> = {}) => record({ deviceReturn: { status: 'verified' }, predecessors: OTHERS_IN, ...overrides });

const asset = (overrides: Partial<AssetRecord> = {}): AssetRecord => ({
  assetTag: 'AT-1',
  serialNumber: 'SN-1',
  model: 'laptop-14',
  status: 'returned',
  assignedTo: 'E1',
  retiredReason: null,
  retiredFor: null,
  returnedFor: 'r-1',
  ...overrides,
});
const order = { kind: 'ready' as const, employeeId: 'E1', assets: ['AT-2', 'AT-1'] };

describe('the offboarding steps of the device domain', () => {
  it('are the device steps of the definition: the return from the request, the closure after the four others, with no automatic undo', () => {
    const step = (name: string) => OFFBOARDING_V1.steps.find((s) => s.name === name);
    expect(step(DEVICE_RETURN.step)).toMatchObject({ owner: 'device', after: [] });
    expect(step(ITSM_CLOSURE.step)).toMatchObject({ owner: 'device', compensatedBy: null });
    expect(CLOSURE_PREDECESSORS).toEqual(['account', 'app-access', 'badge', 'device-return']);
  });

  it('knows each step before the closure by the topic of its completing event, and nothing else', () => {
    expect([AccountDisabledV1, AccessRevokedV1, BadgeRevokedV1, ReturnLoggedV1].map((c) => predecessorOfTopic(c.topic))).toEqual(['account', 'app-access', 'badge', 'device-return']);
    expect(predecessorOfTopic('identity.account.verified.v1')).toBeUndefined();
  });

  it('reads the steps assurance saw verified from its evidence, with the employee each names', () => {
    expect(predecessorsInEvidence({ [AccountDisabledV1.topic]: { employeeId: 'E1' }, [BadgeRevokedV1.topic]: { fixedBy: 'ops-ada', manual: true }, 'identity.account.verified.v1': { employeeId: 'E1' } })).toEqual({
      account: 'E1',
      badge: null,
    });
  });
});

describe('the closure opens', () => {
  it('only once all four steps before it are verified, the return by this service', () => {
    expect(closureOpens(allIn())).toBe(true);
    for (const missing of ['account', 'app-access', 'badge']) {
      const { [missing]: _left, ...three } = OTHERS_IN as Record<string, string>;
      expect(awaitedPredecessors(allIn({ predecessors: three }))).toEqual([missing]);
      expect(closureOpens(allIn({ predecessors: three }))).toBe(false);
    }
    expect(awaitedPredecessors(allIn({ deviceReturn: { status: 'failed' } }))).toEqual(['device-return']);
    expect(closureOpens(allIn({ deviceReturn: { status: 'failed' } }))).toBe(false);
  });

  it('with the return verified by hand (assurance’s evidence), and never once compensation started or for a second time', () => {
    expect(closureOpens(allIn({ deviceReturn: { status: 'failed' }, predecessors: { ...OTHERS_IN, 'device-return': null } }))).toBe(true);
    expect(closureOpens(allIn({ compensating: true }))).toBe(false);
    expect(closureOpens(allIn({ itsmClosure: { status: 'failed' } }))).toBe(false);
  });
});

describe('closureOrderOf', () => {
  it('closes the journey’s ITSM record once everything before it is in', () => {
    expect(closureOrderOf(allIn())).toEqual({ kind: 'ready', employeeId: 'E1', itsmRecordId: 'RITM1' });
  });

  it('refuses to close before all four steps before it are verified, naming what is missing', () => {
    expect(closureOrderOf(allIn({ predecessors: { account: 'E1' } }))).toEqual({
      kind: 'failed',
      code: 'PROVISIONING_FAILED',
      reason: 'the ITSM record RITM1 is closed only once account, app-access, badge, device-return are verified; not yet: app-access, badge',
    });
  });

  it('refuses to close on a step verified for someone other than the leaver', () => {
    expect(closureOrderOf(allIn({ predecessors: { ...OTHERS_IN, badge: 'E2' } }))).toEqual({
      kind: 'failed',
      code: 'VERIFICATION_MISMATCH',
      reason: 'badge was verified for E2, not for the leaver E1: the ITSM record RITM1 is not closed',
    });
  });

  it('needs the request: the ITSM record is not known before it', () => {
    expect(closureOrderOf(allIn({ itsmRecordId: null }))).toMatchObject({ kind: 'failed', reason: expect.stringContaining('the offboarding request has not arrived') });
  });
});

describe('returnOrderOf', () => {
  it('returns the assets the leaver held, and nothing before they were read', () => {
    expect(returnOrderOf(record())).toEqual({ kind: 'ready', employeeId: 'E1', assets: ['AT-1', 'AT-2'] });
    expect(returnOrderOf(record({ assetsBefore: null }))).toEqual({
      kind: 'failed',
      code: 'PROVISIONING_FAILED',
      reason: 'the assets of E1 could not be read before the return, so none was logged as returned; the next attempt reads them first',
    });
  });
});

describe('decideReturn', () => {
  it('verifies every asset read back returned, and nothing assigned to the leaver any more', () => {
    expect(decideReturn(order, [asset({ assetTag: 'AT-2' }), asset()], [])).toEqual({ kind: 'verified', employeeId: 'E1', assets: ['AT-1', 'AT-2'] });
  });

  it('verifies a leaver who held nothing: nothing is left assigned', () => {
    expect(decideReturn({ ...order, assets: [] }, [], [])).toEqual({ kind: 'verified', employeeId: 'E1', assets: [] });
  });

  it('catches asset management saying yes and leaving an asset assigned, an asset gone, and an asset assigned since', () => {
    const stillHeld = asset({ assetTag: 'AT-2', status: 'assigned', returnedFor: null });
    expect(decideReturn(order, [stillHeld, null], [stillHeld, asset({ assetTag: 'AT-3', status: 'assigned' })])).toEqual({
      kind: 'failed',
      code: 'VERIFICATION_MISMATCH',
      reason: 'read-back disagrees: asset AT-2 is assigned (E1), not returned; asset AT-1 is no longer in asset management; AT-2, AT-3 still assigned to E1',
    });
  });
});

describe('the compensation of the return', () => {
  it('gives back only what this journey returned', () => {
    const assets = [asset(), asset({ assetTag: 'AT-2', returnedFor: 'r-0' }), asset({ assetTag: 'AT-3', status: 'assigned', returnedFor: null }), null];
    expect(returnedBy('r-1', assets).map((a) => a.assetTag)).toEqual(['AT-1']);
  });

  it('is confirmed only when every asset reads back assigned to the employee again', () => {
    const back = asset({ status: 'assigned', returnedFor: null });
    expect(reassignmentMismatch('E1', ['AT-1'], [back])).toBeNull();
    expect(reassignmentMismatch('E1', ['AT-1', 'AT-2'], [asset(), null])).toBe('asset AT-1 is returned (E1), not assigned to E1; asset AT-2 is no longer in asset management');
  });
});

describe('the ITSM closure', () => {
  it('is verified when the record reads back closed, and not otherwise', () => {
    const itsm = { recordId: 'RITM1', assignedAssetTag: null, retiredAssetTag: null };
    expect(decideClosure('RITM1', { ...itsm, state: 'closed' })).toEqual({ kind: 'verified', itsmRecordId: 'RITM1' });
    expect(decideClosure('RITM1', { ...itsm, state: 'open' })).toEqual({ kind: 'failed', code: 'VERIFICATION_MISMATCH', reason: 'read-back disagrees: the ITSM record RITM1 is open, not closed' });
    expect(decideClosure('RITM1', null)).toMatchObject({ code: 'VERIFICATION_MISMATCH', reason: 'read-back disagrees: the ITSM record RITM1 is gone' });
  });

  it('fails on a record the ITSM system does not have, saying so, so that it is retried and then escalated', () => {
    expect(noSuchItsmRecord('RITM9')).toEqual({
      kind: 'failed',
      code: 'PROVISIONING_FAILED',
      reason: "the ITSM system has no record RITM9: there is nothing to close, and none is opened to close it; the service desk must find the leaver's record",
    });
  });
});
