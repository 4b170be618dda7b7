import { type AccessRequest, decideAccess, readyToProvision } from './access.domain';

const asana = { app: 'asana', role: 'member', licence: 'standard' };

describe('readyToProvision', () => {
  const base: AccessRequest = { requestId: 'r', apps: null, accountId: null, status: 'pending' };
  it('waits for both the request and the verified account, in any order', () => {
    expect(readyToProvision(base)).toBe(false);
    expect(readyToProvision({ ...base, apps: [asana] })).toBe(false);
    expect(readyToProvision({ ...base, accountId: 'u-1' })).toBe(false);
    expect(readyToProvision({ ...base, apps: [asana], accountId: 'u-1' })).toBe(true);
  });
  it('never provisions twice', () => {
    expect(readyToProvision({ ...base, apps: [asana], accountId: 'u-1', status: 'verified' })).toBe(false);
  });
});

describe('decideAccess', () => {
  it('verifies an active, licensed account in the requested role', () => {
    expect(decideAccess([asana], [{ app: 'asana', role: 'member', active: true, licence: 'standard' }])).toEqual({
      kind: 'verified',
      grants: [{ ...asana, active: true, licensed: true }],
    });
  });
  it('catches a licence the tool said it assigned but did not', () => {
    expect(decideAccess([asana], [{ app: 'asana', role: 'member', active: true, licence: null }])).toEqual({
      kind: 'failed',
      code: 'VERIFICATION_MISMATCH',
      reason: 'read-back disagrees: asana: no licence assigned',
    });
  });
  it('names every app that disagrees', () => {
    const slack = { app: 'slack', role: 'admin', licence: 'pro' };
    const decision = decideAccess([asana, slack], [null, { app: 'slack', role: 'member', active: false, licence: 'pro' }]);
    expect(decision).toMatchObject({ reason: 'read-back disagrees: asana: no account; slack: account inactive; slack: role member instead of admin' });
  });
});
