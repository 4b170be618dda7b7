import { NEW_HIRE_V1, NEW_HIRE_V2 } from '@closeloop/contracts';

import type { Badge } from '../access-control/access-control.connector';
import { decideGranted, issuedBy, NEW_HIRE_BADGE, withdrawalMismatch, withdrawn, zonesFor } from './issuance.domain';

const badge: Badge = { badgeId: 'B-1', employeeId: 'E1', zones: ['lab', 'main-entrance'], active: true, issuedFor: 'journey-a', deactivatedFor: null };
const expected = { badgeId: 'B-1', employeeId: 'E1', zones: ['lab', 'main-entrance'] };

describe('the badge step of a new hire', () => {
  it('is the facilities step of new-hire v2, with no predecessor; v1 has no badge step', () => {
    expect(NEW_HIRE_V2.steps.find((s) => s.name === NEW_HIRE_BADGE.step)).toMatchObject({ owner: 'facilities', after: [] });
    expect(NEW_HIRE_V1.steps.some((s) => s.owner === 'facilities')).toBe(false);
  });
});

describe('zonesFor', () => {
  it('opens the main entrance to every new hire, whatever the groups', () => {
    expect(zonesFor([])).toEqual(['main-entrance']);
    expect(zonesFor(['staff', 'sales'])).toEqual(['main-entrance']);
  });

  it('adds the zones of the groups the mapping names, once each, in name order', () => {
    expect(zonesFor(['engineering', 'staff'])).toEqual(['lab', 'main-entrance']);
    expect(zonesFor(['finance', 'engineering', 'engineering'])).toEqual(['finance-floor', 'lab', 'main-entrance']);
  });

  it('matches group names exactly, and never reads a zone from what an object inherits', () => {
    expect(zonesFor(['Engineering', 'constructor', 'toString', '__proto__'])).toEqual(['main-entrance']);
  });

  it('reads another mapping when given one', () => {
    expect(zonesFor(['ops'], { everyBadge: ['lobby'], byGroup: { ops: ['server-room', 'lobby'] } })).toEqual(['lobby', 'server-room']);
  });
});

describe('decideGranted', () => {
  it('verifies the issued badge read back active, the new hire’s, with exactly the zones derived', () => {
    expect(decideGranted(expected, { ...badge, zones: ['main-entrance', 'lab'] })).toEqual({ kind: 'verified', badgeId: 'B-1', zones: ['lab', 'main-entrance'] });
  });

  it('names every disagreement, a badge opening more doors than asked among them', () => {
    expect(decideGranted(expected, { ...badge, employeeId: 'E2', active: false, zones: ['lab', 'main-entrance', 'server-room'] })).toEqual({
      kind: 'failed',
      code: 'VERIFICATION_MISMATCH',
      reason: 'read-back disagrees: badge B-1 belongs to E2; badge B-1 is inactive; zones lab, main-entrance, server-room instead of lab, main-entrance',
    });
    expect(decideGranted(expected, { ...badge, active: false, deactivatedFor: 'journey-b' })).toMatchObject({ reason: 'read-back disagrees: badge B-1 is inactive (deactivated by journey journey-b)' });
    expect(decideGranted(expected, { ...badge, zones: [] })).toMatchObject({ reason: 'read-back disagrees: zones none instead of lab, main-entrance' });
  });

  it('fails when the badge is not there', () => {
    expect(decideGranted(expected, null)).toEqual({ kind: 'failed', code: 'VERIFICATION_MISMATCH', reason: 'read-back disagrees: badge B-1 is not in the access control system' });
  });
});

describe('the compensation of a new hire’s badge', () => {
  it('finds only the badge the journey issued', () => {
    const other = { ...badge, badgeId: 'B-0', issuedFor: null };
    expect(issuedBy('journey-a', [other, badge])).toBe(badge);
    expect(issuedBy('journey-z', [other, badge])).toBeNull();
  });

  it('is confirmed once the badge reads back inactive, or gone', () => {
    expect(withdrawalMismatch('B-1', { ...badge, active: false })).toBeNull();
    expect(withdrawalMismatch('B-1', null)).toBeNull();
    expect(withdrawalMismatch('B-1', badge)).toBe('badge B-1 is still active');
  });

  it('says whether it deactivated the badge or found it already deactivated by another journey', () => {
    expect(withdrawn('journey-a', badge)).toBe('badge B-1 deactivated');
    expect(withdrawn('journey-a', { ...badge, active: false, deactivatedFor: 'journey-off' })).toBe('badge B-1 was already deactivated by journey journey-off; left as it is');
    expect(withdrawn('journey-a', { ...badge, active: false })).toBe('badge B-1 was never active; left as it is');
  });
});
