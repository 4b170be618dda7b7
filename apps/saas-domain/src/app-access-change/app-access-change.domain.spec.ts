import { ACCESS_CHANGE_V1 } from '@closeloop/contracts';

import { APP_ACCESS, type AppAccessChange, decideAppAccessChange, hasBothHalves, restoreMismatch, restoreTarget, touchedApps } from './app-access-change.domain';

const figma = { app: 'figma', role: 'editor', licence: 'professional' };
const change = { removeApps: ['salesforce'], grantApps: [figma] };
const active = (app: string, role: string, licence: string | null) => ({ app, role, licence, active: true });

describe('the app-access step', () => {
  it('is the SaaS step of the access-change definition, after the directory', () => {
    expect(ACCESS_CHANGE_V1.steps.find((s) => s.name === APP_ACCESS.step)).toMatchObject({ owner: APP_ACCESS.owner, after: ['directory-access'] });
  });

  it('goes ahead once the request and the account have both arrived, in any order', () => {
    const base: AppAccessChange = { requestId: 'r', employeeId: 'E1', removeApps: null, grantApps: null, accountId: null, accessBefore: null, status: 'pending' };
    expect(hasBothHalves(base)).toBe(false);
    expect(hasBothHalves({ ...base, accountId: 'u-E1' })).toBe(false);
    expect(hasBothHalves({ ...base, removeApps: [], grantApps: [figma] })).toBe(false);
    const ready = { ...base, removeApps: ['salesforce'], grantApps: [figma], accountId: 'u-E1' };
    expect(hasBothHalves(ready)).toBe(true);
    expect(touchedApps(ready)).toEqual(['salesforce', 'figma']);
  });
});

describe('decideAppAccessChange', () => {
  it('verifies the removed apps gone (or inactive) and the granted ones active in their role and licence', () => {
    expect(decideAppAccessChange(change, [null], [active('figma', 'editor', 'professional')])).toEqual({ kind: 'verified', grants: [{ ...figma, active: true }] });
    expect(decideAppAccessChange(change, [{ ...active('salesforce', 'user', 'standard'), active: false }], [active('figma', 'editor', 'professional')])).toMatchObject({
      kind: 'verified',
    });
  });

  it('names every app that disagrees', () => {
    expect(decideAppAccessChange(change, [active('salesforce', 'user', 'standard')], [active('figma', 'viewer', null)])).toEqual({
      kind: 'failed',
      code: 'VERIFICATION_MISMATCH',
      reason: 'read-back disagrees: salesforce: access still active; figma: role viewer instead of editor; figma: no licence assigned',
    });
    expect(decideAppAccessChange(change, [null], [null])).toMatchObject({ reason: 'read-back disagrees: figma: no account' });
  });
});

describe('compensation', () => {
  const before = { salesforce: { role: 'user', licence: 'standard', active: true }, figma: null, slack: { role: 'member', licence: null, active: false } };

  it('restores the access each app had, and none where it had none or it was inactive', () => {
    expect(restoreTarget('salesforce', before)).toEqual({ role: 'user', licence: 'standard', active: true });
    expect(restoreTarget('figma', before)).toBeNull();
    expect(restoreTarget('slack', before)).toBeNull();
  });

  it('checks the read-back against what each app must hold again', () => {
    const targets = [
      { app: 'salesforce', want: restoreTarget('salesforce', before) },
      { app: 'figma', want: restoreTarget('figma', before) },
    ];
    expect(restoreMismatch(targets, [active('salesforce', 'user', 'standard'), null])).toBeNull();
    expect(restoreMismatch(targets, [active('salesforce', 'admin', null), active('figma', 'editor', 'professional')])).toBe(
      'salesforce: role admin instead of user; salesforce: licence none instead of standard; figma: access still active',
    );
    expect(restoreMismatch(targets, [null, null])).toBe('salesforce: access not restored');
  });
});
