import { SAAS_LICENSING_V1 } from '@closeloop/contracts';

import { ACCOUNT_CHECK, decideAccountCheck } from './account-check.domain';

describe('decideAccountCheck', () => {
  it('is the identity step of the saas-licensing definition', () => {
    expect(SAAS_LICENSING_V1.steps.find((s) => s.name === ACCOUNT_CHECK.step)).toMatchObject({ owner: ACCOUNT_CHECK.owner });
  });

  it('verifies an existing, enabled account with its current groups', () => {
    expect(decideAccountCheck('E1', { accountId: 'u-E1', enabled: true, groups: ['staff'] })).toEqual({ kind: 'verified', accountId: 'u-E1', groups: ['staff'] });
  });

  it('fails when the subject has no account', () => {
    expect(decideAccountCheck('E1', null)).toEqual({
      kind: 'failed',
      code: 'PROVISIONING_FAILED',
      reason: 'the directory has no account for employee E1: licences are assigned to an existing account',
    });
  });

  it('fails a disabled account', () => {
    expect(decideAccountCheck('E1', { accountId: 'u-E1', enabled: false, groups: [] })).toMatchObject({ kind: 'failed', reason: 'the account u-E1 of employee E1 is disabled' });
  });
});
