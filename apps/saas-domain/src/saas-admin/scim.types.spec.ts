import { eqFilter, licenceOf, primaryRole, sameUserName, type ScimUser } from './scim.types';

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
