import { OFFBOARDING_V1 } from '@closeloop/contracts';

import type { Badge } from '../access-control/access-control.connector';
import { activeOf, decideRevoked, OFFBOARDING_BADGE, reactivated, reactivationMismatch, reactivationPlan, revocationOrderOf } from './offboarding.domain';

const ME = 'journey-off';
const badge = (badgeId: string, change: Partial<Badge> = {}): Badge => ({ badgeId, employeeId: 'E1', zones: ['main-entrance'], active: false, issuedFor: null, deactivatedFor: ME, ...change });

describe('the badge step of an offboarding', () => {
  it('is the facilities step of the offboarding definition, with no predecessor', () => {
    expect(OFFBOARDING_V1.steps.find((s) => s.name === OFFBOARDING_BADGE.step)).toMatchObject({ owner: 'facilities', after: [] });
    expect(OFFBOARDING_V1.type).toBe(OFFBOARDING_BADGE.journeyType);
  });
});

describe('revocationOrderOf', () => {
  it('deactivates nothing until the badges before are kept', () => {
    expect(revocationOrderOf('E1', null)).toEqual({
      kind: 'failed',
      code: 'PROVISIONING_FAILED',
      reason: 'the badges of E1 could not be read before the revocation, so none was deactivated; the next attempt reads them first',
    });
    expect(revocationOrderOf('E1', ['B-1'])).toEqual({ kind: 'ready', badges: ['B-1'] });
  });
});

describe('decideRevoked', () => {
  const order = { kind: 'ready' as const, badges: ['B-1', 'B-2'] };

  it('verifies when no badge of the employee reads back active, naming those this journey deactivated', () => {
    expect(decideRevoked(ME, 'E1', order, [badge('B-2'), badge('B-1'), badge('B-0', { deactivatedFor: 'journey-old' })])).toEqual({ kind: 'verified', revokedBadges: ['B-1', 'B-2'] });
  });

  it('verifies an employee with no badge, with nothing revoked', () => {
    expect(decideRevoked(ME, 'E1', { kind: 'ready', badges: [] }, [])).toEqual({ kind: 'verified', revokedBadges: [] });
  });

  it('fails while any badge of the employee reads back active, one issued meanwhile too', () => {
    expect(decideRevoked(ME, 'E1', order, [badge('B-1'), badge('B-2', { active: true, deactivatedFor: null }), badge('B-3', { active: true, deactivatedFor: null })])).toEqual({
      kind: 'failed',
      code: 'VERIFICATION_MISMATCH',
      reason: 'read-back disagrees: badge(s) B-2, B-3 of E1 still active',
    });
  });
});

describe('reactivationPlan', () => {
  it('activates again the kept badges this journey deactivated, and nothing else', () => {
    const readBack = [badge('B-1'), badge('B-2', { deactivatedFor: 'journey-other' }), badge('B-3', { active: true, deactivatedFor: null }), badge('B-4')];
    expect(reactivationPlan(ME, ['B-3', 'B-2', 'B-1', 'B-9'], readBack, new Set())).toEqual({ reactivate: ['B-1'], leftAlone: [] });
  });

  it('leaves inactive a badge whose new-hire journey was cancelled since', () => {
    const readBack = [badge('B-1', { issuedFor: 'journey-hire' }), badge('B-2', { issuedFor: 'journey-kept' })];
    expect(reactivationPlan(ME, ['B-1', 'B-2'], readBack, new Set(['journey-hire']))).toEqual({
      reactivate: ['B-2'],
      leftAlone: [{ badgeId: 'B-1', why: 'its new-hire journey journey-hire was cancelled since' }],
    });
  });
});

describe('reactivationMismatch', () => {
  const plan = { reactivate: ['B-1', 'B-2'], leftAlone: [] };
  it('is null when each badge of the plan reads back active', () => {
    expect(reactivationMismatch(plan, [badge('B-1', { active: true }), badge('B-2', { active: true })])).toBeNull();
  });
  it('names the badges still inactive, or gone', () => {
    expect(reactivationMismatch(plan, [badge('B-1', { active: true })])).toBe('badge(s) B-2 still inactive');
  });
});

describe('reactivated', () => {
  it('says what was given back and what was left alone, and why', () => {
    expect(reactivated('E1', { reactivate: ['B-1', 'B-2'], leftAlone: [] })).toBe('badge(s) B-1, B-2 of E1 active again');
    expect(reactivated('E1', { reactivate: [], leftAlone: [{ badgeId: 'B-1', why: 'its new-hire journey j was cancelled since' }] })).toBe(
      'badge(s) none of E1 active again; left alone: B-1 (its new-hire journey j was cancelled since)',
    );
    expect(reactivated('E1', { reactivate: [], leftAlone: [] })).toBe('nothing to undo: no badge of E1 is deactivated by this journey');
  });
});

it('activeOf keeps the active badges, in read-back order', () => {
  expect(activeOf([badge('B-2', { active: true }), badge('B-1'), badge('B-3', { active: true })])).toEqual(['B-2', 'B-3']);
});
