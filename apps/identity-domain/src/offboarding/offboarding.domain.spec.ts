import { OFFBOARDING_V1 } from '@closeloop/contracts';

import { decideDisabled, noAccountToDisable, OFFBOARDING_ACCOUNT, reinstated, reinstateMismatch, reinstatePlan } from './offboarding.domain';

const disabled = { accountId: 'u-E1', enabled: false, groups: [], activeSessions: 0 };

describe('the account step of an offboarding', () => {
  it('is the identity step of the offboarding definition, with no predecessor', () => {
    expect(OFFBOARDING_V1.steps.find((s) => s.name === OFFBOARDING_ACCOUNT.step)).toMatchObject({ owner: OFFBOARDING_ACCOUNT.owner, after: [] });
    expect(OFFBOARDING_V1.type).toBe(OFFBOARDING_ACCOUNT.journeyType);
  });
});

describe('decideDisabled', () => {
  it('verifies an account read back disabled, in no group, with no active session', () => {
    expect(decideDisabled(disabled, 2)).toEqual({ kind: 'verified', accountId: 'u-E1', groups: [], sessionsRevoked: 2 });
  });

  it('fails when any of the three disagrees, naming each', () => {
    expect(decideDisabled({ ...disabled, enabled: true, groups: ['sales', 'staff'], activeSessions: 1 }, 1)).toEqual({
      kind: 'failed',
      code: 'VERIFICATION_MISMATCH',
      reason: 'read-back disagrees: the account is still enabled; still in group(s) sales, staff; 1 session(s) still active',
    });
    expect(decideDisabled({ ...disabled, enabled: true }, 0)).toMatchObject({ kind: 'failed', reason: 'read-back disagrees: the account is still enabled' });
    expect(decideDisabled({ ...disabled, groups: ['staff'] }, 0)).toMatchObject({ kind: 'failed', reason: 'read-back disagrees: still in group(s) staff' });
    expect(decideDisabled({ ...disabled, activeSessions: 3 }, 0)).toMatchObject({ kind: 'failed', reason: 'read-back disagrees: 3 session(s) still active' });
  });

  it('fails an account that is gone from the directory', () => {
    expect(decideDisabled(null, 0)).toEqual({ kind: 'failed', code: 'VERIFICATION_MISMATCH', reason: 'read-back disagrees: the account is no longer in the directory' });
  });

  it('never verifies an employee without an account: it fails, saying why', () => {
    expect(noAccountToDisable('E9')).toEqual({
      kind: 'failed',
      code: 'PROVISIONING_FAILED',
      reason:
        "the directory has no account for employee E9: nothing was disabled; an offboarding must find the leaver's account to prove it disabled, so a person must check the employee id and where the account is",
    });
  });
});

describe('reinstatePlan', () => {
  it('enables the account again and gives back every group it was in', () => {
    expect(reinstatePlan({ enabled: true, groups: ['sales', 'staff'] })).toEqual({ enable: true, add: ['sales', 'staff'], remove: [], leftAlone: [], keptDisabledFor: [] });
  });

  it('leaves disabled an account that was disabled before the journey', () => {
    expect(reinstatePlan({ enabled: false, groups: ['staff'] })).toMatchObject({ enable: false, add: ['staff'], keptDisabledFor: [] });
  });

  it('never gives back a group another journey changed since', () => {
    expect(reinstatePlan({ enabled: true, groups: ['prod-admins', 'staff'] }, new Map([['prod-admins', ['journey-b']]]))).toMatchObject({
      enable: true,
      add: ['staff'],
      leftAlone: [{ group: 'prod-admins', by: ['journey-b'] }],
    });
  });

  it('leaves the account disabled for another offboarding of the employee since', () => {
    expect(reinstatePlan({ enabled: true, groups: [] }, new Map(), ['journey-c'])).toMatchObject({ enable: false, keptDisabledFor: ['journey-c'] });
  });
});

describe('reinstateMismatch', () => {
  const plan = reinstatePlan({ enabled: true, groups: ['sales', 'staff'] });

  it('is null when the read-back shows the account enabled and back in its groups (sessions are not given back)', () => {
    expect(reinstateMismatch(plan, { accountId: 'u-E1', enabled: true, groups: ['sales', 'staff'], activeSessions: 0 })).toBeNull();
  });

  it('names what was not given back', () => {
    expect(reinstateMismatch(plan, { ...disabled, groups: ['staff'] })).toBe('the account is still disabled; not back in group(s) sales');
    expect(reinstateMismatch(plan, null)).toBe('the account is no longer in the directory');
  });

  it('asks nothing of an account that had nothing to give back', () => {
    expect(reinstateMismatch(reinstatePlan({ enabled: false, groups: [] }), null)).toBeNull();
  });
});

describe('reinstated', () => {
  it('says what was given back, what was left alone and why, and that sessions are not given back', () => {
    expect(reinstated('u-E1', reinstatePlan({ enabled: true, groups: ['prod-admins', 'staff'] }, new Map([['prod-admins', ['journey-b']]])))).toBe(
      'account u-E1 enabled again; back in group(s) staff; left alone, changed by another journey since: prod-admins (journey-b); sessions are not given back',
    );
    expect(reinstated('u-E1', reinstatePlan({ enabled: false, groups: [] }))).toBe('account u-E1 left disabled, as it was before this journey; back in group(s) none; sessions are not given back');
    expect(reinstated('u-E1', reinstatePlan({ enabled: true, groups: [] }, new Map(), ['journey-c']))).toBe(
      'account u-E1 left disabled, offboarded by another journey since: journey-c; back in group(s) none; sessions are not given back',
    );
  });
});
