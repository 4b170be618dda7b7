import { SCIMMY } from 'scimmy-routers';

import { LICENSING_SCHEMA_ID } from './licensing.schema';
import { keepStoredLicences, lookupOf, memberScopeOf } from './scim-resources';

const filter = (expression: string) => new SCIMMY.Types.Filter(expression);

describe('lookupOf', () => {
  it('answers a single eq on an indexed attribute with SQL, whatever the attribute case', () => {
    expect(lookupOf(filter('userName eq "u-E1"'), ['id', 'userName', 'externalId'])).toEqual({ attribute: 'userName', value: 'u-E1' });
    expect(lookupOf(filter('externalid eq "E1"'), ['id', 'userName', 'externalId'])).toEqual({ attribute: 'externalId', value: 'E1' });
  });

  it('leaves every other filter to the library', () => {
    for (const expression of ['userName sw "u-"', 'userName eq "a" or userName eq "b"', 'userName eq "a" and active eq true', 'title eq "x"']) {
      expect(lookupOf(filter(expression), ['id', 'userName', 'externalId'])).toBeNull();
    }
    expect(lookupOf(undefined, ['userName'])).toBeNull();
  });
});

describe('memberScopeOf', () => {
  const patch = (...Operations: object[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations });

  it('loads only the members a group PATCH names', () => {
    expect(memberScopeOf('PATCH', true, patch({ op: 'add', path: 'members', value: [{ value: 'a' }, { value: 'b' }] }), true)).toEqual(['a', 'b']);
    expect(memberScopeOf('PATCH', true, patch({ op: 'remove', path: 'members[value eq "c"]' }), true)).toEqual(['c']);
    expect(memberScopeOf('PATCH', true, patch({ op: 'add', value: { members: [{ value: 'd' }] } }), false)).toEqual(['d']);
    expect(memberScopeOf('PATCH', true, patch({ op: 'replace', path: 'displayName', value: 'x' }), false)).toEqual([]);
  });

  it('loads all members when a PATCH replaces or removes them all', () => {
    expect(memberScopeOf('PATCH', true, patch({ op: 'replace', path: 'members', value: [{ value: 'a' }] }), true)).toBe('all');
    expect(memberScopeOf('PATCH', true, patch({ op: 'remove', path: 'members' }), true)).toBe('all');
    expect(memberScopeOf('PATCH', true, patch({ op: 'replace', value: { members: [] } }), true)).toBe('all');
    expect(memberScopeOf('PATCH', true, { Operations: 'nonsense' }, true)).toBe('all');
  });

  it('loads no members for a read that excludes them, all otherwise', () => {
    expect(memberScopeOf('GET', true, undefined, true)).toBe('none');
    expect(memberScopeOf('GET', false, undefined, false)).toBe('all');
  });
});

describe('keepStoredLicences', () => {
  const stored = {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName: 'u-1',
    entitlements: [{ value: 'standard', type: 'licence' }],
  };

  it('keeps the stored licence and drops the asked one, but keeps the rest of the change', () => {
    const requested = {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', LICENSING_SCHEMA_ID],
      userName: 'u-1',
      active: false,
      entitlements: [
        { value: 'pro', type: 'licence' },
        { value: 'beta', type: 'feature' },
      ],
      [LICENSING_SCHEMA_ID]: { licenceType: 'business', seats: 3 },
    };
    expect(keepStoredLicences(requested, stored)).toEqual({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'u-1',
      active: false,
      entitlements: [
        { value: 'beta', type: 'feature' },
        { value: 'standard', type: 'licence' },
      ],
    });
  });

  it('stores no licence for a new user', () => {
    const kept = keepStoredLicences({ userName: 'u-2', entitlements: [{ value: 'pro', type: 'licence' }] }, null);
    expect(JSON.parse(JSON.stringify(kept))).toEqual({ userName: 'u-2', schemas: [] });
  });
});
