import { ACCESS_CHANGE_V1 } from '@closeloop/contracts';

import { decideAccessChange, DIRECTORY_ACCESS, noAccount, restoreMismatch, restorePlan } from './access-change.domain';

const change = { remove: ['sales'], grant: ['engineering', 'on-call'] };
const account = { accountId: 'u-E1', enabled: true, groups: ['engineering', 'on-call', 'staff'] };

describe('the directory-access step', () => {
  it('is the identity step of the access-change definition', () => {
    expect(ACCESS_CHANGE_V1.steps.find((s) => s.name === DIRECTORY_ACCESS.step)).toMatchObject({ owner: DIRECTORY_ACCESS.owner });
    expect(ACCESS_CHANGE_V1.type).toBe(DIRECTORY_ACCESS.journeyType);
  });
});

describe('decideAccessChange', () => {
  it('verifies when the removed groups are gone, the granted ones present and the account enabled', () => {
    expect(decideAccessChange(change, account)).toEqual({ kind: 'verified', accountId: 'u-E1', groups: ['engineering', 'on-call', 'staff'] });
  });

  it('names every group that disagrees', () => {
    expect(decideAccessChange(change, { ...account, groups: ['sales', 'engineering'] })).toEqual({
      kind: 'failed',
      code: 'VERIFICATION_MISMATCH',
      reason: 'read-back disagrees: still in removed group(s) sales; not in granted group(s) on-call',
    });
  });

  it('fails an account that is disabled or gone', () => {
    expect(decideAccessChange(change, { ...account, enabled: false })).toMatchObject({ kind: 'failed', reason: 'read-back disagrees: the account is disabled' });
    expect(decideAccessChange(change, null)).toMatchObject({ kind: 'failed', code: 'VERIFICATION_MISMATCH' });
  });

  it('refuses a subject without an account, saying why', () => {
    expect(noAccount('E9')).toEqual({
      kind: 'failed',
      code: 'PROVISIONING_FAILED',
      reason: "the directory has no account for employee E9: an access change needs the subject's existing account",
    });
  });
});

describe('restorePlan', () => {
  it('puts back the removed groups the account was in and takes away the granted ones it was not in', () => {
    expect(restorePlan(['sales', 'staff'], change)).toEqual({ add: ['sales'], remove: ['engineering', 'on-call'], leftAlone: [] });
  });

  it('never takes away a granted group the account already had, nor gives a removed group it never had', () => {
    expect(restorePlan(['staff', 'on-call'], change)).toEqual({ add: [], remove: ['engineering'], leftAlone: [] });
  });

  it('never re-grants a group another journey removed after this one recorded the groups, nor takes away one another journey granted since', () => {
    const privileged = { remove: ['prod-admins', 'sales'], grant: ['engineering', 'on-call'] };
    const touched = new Map([
      ['prod-admins', ['journey-b']],
      ['on-call', ['journey-c', 'journey-d']],
    ]);
    expect(restorePlan(['prod-admins', 'sales', 'staff'], privileged, touched)).toEqual({
      add: ['sales'],
      remove: ['engineering'],
      leftAlone: [
        { group: 'prod-admins', by: ['journey-b'] },
        { group: 'on-call', by: ['journey-c', 'journey-d'] },
      ],
    });
  });

  it('ignores what other journeys did to groups this journey did not change', () => {
    expect(restorePlan(['sales', 'staff'], change, new Map([['staff', ['journey-b']], ['sales-leads', ['journey-c']]]))).toEqual({ add: ['sales'], remove: ['engineering', 'on-call'], leftAlone: [] });
  });
});

describe('restoreMismatch', () => {
  const plan = { add: ['sales'], remove: ['engineering'] };
  it('is null when the read-back shows the plan carried out', () => {
    expect(restoreMismatch(plan, { ...account, groups: ['sales', 'staff'] })).toBeNull();
  });
  it('names what is not restored', () => {
    expect(restoreMismatch(plan, { ...account, groups: ['engineering'] })).toBe('not back in group(s) sales; still in group(s) engineering');
    expect(restoreMismatch(plan, null)).toBe('the account is no longer in the directory');
  });
});
