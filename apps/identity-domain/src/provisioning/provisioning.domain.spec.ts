import { decideAccount } from './provisioning.domain';

describe('decideAccount', () => {
  it('verifies an enabled account in every requested group', () => {
    expect(decideAccount(['staff', 'eng'], { accountId: 'u-1', enabled: true, groups: ['eng', 'staff', 'other'] })).toEqual({
      kind: 'verified',
      accountId: 'u-1',
      groups: ['staff', 'eng'],
    });
  });

  it('fails when the read-back finds no account', () => {
    expect(decideAccount([], null)).toMatchObject({ kind: 'failed', code: 'VERIFICATION_MISMATCH' });
  });

  it('fails a disabled account even though provisioning reported success', () => {
    const decision = decideAccount([], { accountId: 'u-1', enabled: false, groups: [] });
    expect(decision).toEqual({ kind: 'failed', code: 'VERIFICATION_MISMATCH', reason: 'read-back disagrees: the account is disabled' });
  });

  it('names the groups the account is missing', () => {
    const decision = decideAccount(['staff', 'eng'], { accountId: 'u-1', enabled: true, groups: ['staff'] });
    expect(decision).toMatchObject({ kind: 'failed', reason: 'read-back disagrees: not in group(s) eng' });
  });
});
