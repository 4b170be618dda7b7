import { decideAccount, decideOwnership } from './provisioning.domain';

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

describe('decideOwnership', () => {
  const facts = { requestId: 'journey-a', employeeId: 'E1', liveOwner: null, existing: null, releasedBy: null };
  const account = (enabled: boolean, groups: string[] = []) => ({ accountId: 'u-E1', enabled, groups });

  it('creates the account when the directory has none and nobody owns one', () => {
    expect(decideOwnership(facts)).toEqual({ kind: 'owner' });
  });

  it('keeps an account this journey owns already (a retry, or a crash after the claim)', () => {
    expect(decideOwnership({ ...facts, liveOwner: 'journey-a', existing: account(false) })).toEqual({ kind: 'owner' });
  });

  it('refuses an account another journey owns, naming that journey', () => {
    expect(decideOwnership({ ...facts, liveOwner: 'journey-b', existing: account(true, ['staff']) })).toEqual({
      kind: 'refused',
      code: 'ACCOUNT_EXISTS',
      reason: 'the directory account of employee E1 (u-E1) belongs to journey journey-b: a journey never takes over an account it did not create; a person must decide what to do with it',
    });
  });

  it('refuses an account no Closeloop journey created', () => {
    expect(decideOwnership({ ...facts, existing: account(true) })).toMatchObject({ kind: 'refused', code: 'ACCOUNT_EXISTS', reason: expect.stringContaining('the directory already has account u-E1 for employee E1, and no Closeloop journey created it') });
  });

  it('takes over the account of a compensated journey only as its compensation left it: disabled and in no group', () => {
    expect(decideOwnership({ ...facts, existing: account(false), releasedBy: 'journey-old' })).toEqual({ kind: 'owner' });
    for (const changed of [account(true), account(false, ['prod-admins'])]) {
      expect(decideOwnership({ ...facts, existing: changed, releasedBy: 'journey-old' })).toMatchObject({
        kind: 'refused',
        code: 'ACCOUNT_EXISTS',
        reason: expect.stringContaining('was disabled when journey journey-old was compensated, but has been enabled or given groups since'),
      });
    }
  });
});
