import { SAAS_LICENSING_V1 } from '@closeloop/contracts';

import { decideLicence, hasBothHalves, LICENCE, type LicenceRequest, seatsRestoreMismatch } from './licensing.domain';

const want = { app: 'figma', licenceType: 'organization', seats: 5 };

describe('the licence step', () => {
  it('is the SaaS step of the saas-licensing definition, after the account check', () => {
    expect(SAAS_LICENSING_V1.steps.find((s) => s.name === LICENCE.step)).toMatchObject({ owner: LICENCE.owner, after: ['account-check'] });
  });

  it('goes ahead once the licence asked for and the checked account have both arrived', () => {
    const base: LicenceRequest = { requestId: 'r', employeeId: 'E1', app: null, licenceType: null, seats: null, accountId: null, seatsBefore: null, status: 'pending' };
    expect(hasBothHalves({ ...base, accountId: 'u-E1' })).toBe(false);
    expect(hasBothHalves({ ...base, ...want })).toBe(false);
    expect(hasBothHalves({ ...base, ...want, accountId: 'u-E1' })).toBe(true);
  });
});

describe('decideLicence', () => {
  it('confirms the activation only when the app reports the licence type and seat count active', () => {
    expect(decideLicence(want, { licenceType: 'organization', seats: 5, active: true })).toEqual({ kind: 'activated', licenceType: 'organization', seats: 5 });
  });

  it('names what the app reports instead', () => {
    expect(decideLicence(want, { licenceType: 'professional', seats: 1, active: false })).toEqual({
      kind: 'failed',
      code: 'VERIFICATION_MISMATCH',
      reason: 'read-back disagrees: figma: licence professional instead of organization; 1 seat(s) instead of 5; not active',
    });
    expect(decideLicence(want, null)).toMatchObject({ kind: 'failed', reason: 'read-back disagrees: figma shows no seats for the account' });
  });
});

describe('seatsRestoreMismatch', () => {
  it('expects no seats when the account held none before', () => {
    expect(seatsRestoreMismatch(null, null)).toBeNull();
    expect(seatsRestoreMismatch(null, { licenceType: 'organization', seats: 5, active: true })).toBe('still 5 organization seat(s)');
  });

  it('expects the seats the account held before', () => {
    const before = { licenceType: 'professional', seats: 1, active: true };
    expect(seatsRestoreMismatch(before, { ...before })).toBeNull();
    expect(seatsRestoreMismatch(before, { licenceType: 'organization', seats: 5, active: true })).toBe('5 organization seat(s) instead of the 1 professional held before');
    expect(seatsRestoreMismatch(before, null)).toBe('the 1 professional seat(s) held before are gone');
  });
});
