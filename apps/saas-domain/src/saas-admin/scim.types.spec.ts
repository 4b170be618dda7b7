import { accessPatch, appUserOf, eqFilter, licenceOf, primaryRole, rolesOf, sameUserName, SCIM_LICENSING_SCHEMA, type ScimUser } from './scim.types';

const user = (fields: Partial<ScimUser>): ScimUser => ({ id: '1', userName: 'u-1', ...fields });

describe('SCIM user attributes as the connector reads them', () => {
  it('takes the primary role, else the first', () => {
    expect(primaryRole(user({ roles: [{ value: 'member' }, { value: 'admin', primary: true }] }))).toBe('admin');
    expect(primaryRole(user({ roles: [{ value: 'member' }] }))).toBe('member');
    expect(primaryRole(user({}))).toBeUndefined();
  });

  it('takes the licence from the entitlement of type licence', () => {
    expect(licenceOf(user({ entitlements: [{ value: 'beta', type: 'feature' }, { value: 'pro', type: 'licence' }] }))).toBe('pro');
    expect(licenceOf(user({ entitlements: [{ value: 'beta', type: 'feature' }] }))).toBeNull();
  });

  it('compares userNames without case and quotes filter values as JSON strings', () => {
    expect(sameUserName('U-E1', 'u-e1')).toBe(true);
    expect(sameUserName(undefined, 'u-e1')).toBe(false);
    expect(eqFilter('userName', 'a"b\\c')).toBe('userName eq "a\\"b\\\\c"');
  });
});

describe('a user\'s whole access over SCIM', () => {
  const held = user({
    active: true,
    roles: [{ value: 'member' }, { value: 'admin', primary: true }],
    entitlements: [{ value: 'pro', type: 'licence', primary: true }],
    groups: [{ value: 'g1', display: 'admin' }],
    [SCIM_LICENSING_SCHEMA]: { licenceType: 'enterprise', seats: 3 },
  });
  const nothing = { active: false, roles: [], entitlements: [], seats: null, groups: [] };

  it('reads everything the user holds, the primary role first', () => {
    expect(rolesOf(held)).toEqual(['admin', 'member']);
    expect(appUserOf('slack', held)).toEqual({
      app: 'slack',
      accountId: 'u-1',
      active: true,
      roles: ['admin', 'member'],
      entitlements: [{ value: 'pro', type: 'licence', primary: true }],
      seats: { licenceType: 'enterprise', seats: 3 },
      groups: [{ id: 'g1', name: 'admin' }],
    });
  });

  it('takes it all back in one PATCH of the user: inactive, no role, no entitlement, no seats (groups go through the groups)', () => {
    expect(accessPatch(held, nothing)).toEqual([
      { op: 'replace', path: 'active', value: false },
      { op: 'remove', path: 'roles' },
      { op: 'remove', path: 'entitlements' },
      { op: 'remove', path: `${SCIM_LICENSING_SCHEMA}:licenceType` },
      { op: 'remove', path: `${SCIM_LICENSING_SCHEMA}:seats` },
    ]);
  });

  it('gives back only what differs, and nothing when the user holds it already', () => {
    const before = appUserOf('slack', held);
    expect(accessPatch(held, before)).toEqual([]);
    expect(accessPatch(user({ active: false }), before)).toEqual([
      { op: 'replace', path: 'active', value: true },
      { op: 'replace', path: 'roles', value: [{ value: 'admin', primary: true }, { value: 'member', primary: false }] },
      { op: 'replace', path: 'entitlements', value: [{ value: 'pro', type: 'licence', primary: true }] },
      { op: 'replace', path: SCIM_LICENSING_SCHEMA, value: { licenceType: 'enterprise', seats: 3 } },
    ]);
    expect(accessPatch(user({ active: false }), nothing)).toEqual([]);
  });
});
