import { AccessRevokedV1, OFFBOARDING_V1 } from '@closeloop/contracts';

import type { AppUser } from '../saas-admin/user-access';
import { accessLeft, appsToSearch, byApp, decideRevocation, describeRestore, licencesOf, NO_ACCESS, OFFBOARDING_APPS, restoreMismatch, restorePlan } from './offboarding.domain';

const user = (app: string, held: Partial<AppUser> = {}): AppUser => ({ app, accountId: 'u-E1', active: true, roles: [], entitlements: [], seats: null, groups: [], ...held });
const asana = user('asana', { roles: ['member'], entitlements: [{ value: 'standard', type: 'licence', primary: true }], groups: [{ id: 'g1', name: 'member' }] });
const notion = user('notion', { roles: ['admin', 'member'], entitlements: [{ value: 'beta', type: 'feature' }], seats: { licenceType: 'enterprise', seats: 3 } });
const takenBack = (before: AppUser): AppUser => ({ ...before, ...NO_ACCESS });

describe('the app-access step of an offboarding', () => {
  it('is the SaaS step of the offboarding definition, started by the request itself, reported by saas.access.revoked', () => {
    const step = OFFBOARDING_V1.steps.find((s) => s.name === OFFBOARDING_APPS.step);
    expect(step).toMatchObject({ owner: 'saas', after: [], completedBy: AccessRevokedV1 });
    expect(OFFBOARDING_APPS.journeyType).toBe('offboarding');
  });

  it('searches the apps in use and every app a journey named for the employee, each once', () => {
    expect(appsToSearch(['slack', 'asana'], ['miro', 'asana'])).toEqual(['asana', 'miro', 'slack']);
    expect(appsToSearch([], [])).toEqual([]);
    expect(byApp([asana, null, notion])).toEqual({ asana, notion });
  });
});

describe('decideRevocation', () => {
  it('verifies every user read back holding nothing (or gone), naming the licences reclaimed: entitlements of type licence and seats', () => {
    expect(licencesOf(asana)).toEqual(['standard']);
    expect(licencesOf(notion)).toEqual(['enterprise (3 seats)']);
    const decision = decideRevocation([
      { before: asana, after: takenBack(asana) },
      { before: notion, after: null },
    ]);
    expect(decision).toEqual({
      kind: 'verified',
      apps: [
        { app: 'asana', active: false, roles: [], reclaimedLicences: ['standard'] },
        { app: 'notion', active: false, roles: [], reclaimedLicences: ['enterprise (3 seats)'] },
      ],
    });
  });

  it('verifies a leaver without any app user with an empty list: nothing left to take back', () => {
    expect(decideRevocation([])).toEqual({ kind: 'verified', apps: [] });
  });

  it('names everything a user read back still holds, app by app', () => {
    expect(accessLeft(takenBack(asana))).toEqual([]);
    expect(accessLeft(null)).toEqual([]);
    const decision = decideRevocation([
      { before: asana, after: { ...takenBack(asana), active: true, groups: asana.groups } },
      { before: notion, after: { ...takenBack(notion), roles: ['admin'], entitlements: notion.entitlements, seats: notion.seats } },
    ]);
    expect(decision).toEqual({
      kind: 'failed',
      code: 'VERIFICATION_MISMATCH',
      reason: 'read-back disagrees: asana: still active; asana: groups member left; notion: roles admin left; notion: entitlements feature beta left; notion: seats 3 enterprise left',
    });
  });

  it('never verifies a licence left behind, even on an inactive user without a role', () => {
    expect(decideRevocation([{ before: asana, after: { ...takenBack(asana), entitlements: asana.entitlements } }])).toMatchObject({
      kind: 'failed',
      reason: 'read-back disagrees: asana: entitlements licence standard left',
    });
  });
});

describe('compensation', () => {
  it('gives every user back what it held, except in an app another journey changed since', () => {
    expect(restorePlan({ asana, notion })).toEqual({ targets: [asana, notion], leftAlone: [] });
    const plan = restorePlan({ notion, asana }, new Map([['notion', ['journey-b']]]));
    expect(plan).toEqual({ targets: [asana], leftAlone: [{ app: 'notion', by: ['journey-b'] }] });
    expect(describeRestore('E1', plan)).toBe('app access of E1 restored: asana as before; left alone, changed by another journey since: notion (journey-b)');
    expect(describeRestore('E1', restorePlan({}))).toBe('app access of E1 restored: nothing to set back');
  });

  it('confirms only a read-back that holds what each user held before', () => {
    expect(restoreMismatch([asana, notion], [asana, { ...notion, roles: ['admin', 'member'] }])).toBeNull();
    expect(restoreMismatch([asana, notion], [{ ...asana, entitlements: [] }, { ...notion, roles: ['member', 'admin'], active: false }])).toBe(
      'asana: entitlements none instead of licence standard; notion: inactive instead of active; notion: roles member, admin instead of admin, member',
    );
    expect(restoreMismatch([asana], [null])).toBe('asana: user u-E1 is gone');
  });
});
