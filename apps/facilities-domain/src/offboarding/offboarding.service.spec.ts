import { BadgeCompensatedV1, BadgeFailedV1, BadgeRevokedV1, definitionDocument, NEW_HIRE_V2, type Requested } from '@closeloop/contracts';
import { compensationRequested, inMemoryPorts, retryRequested, sampleRequest, TEST_SUBJECT, TEST_TIME as at } from '@closeloop/participant/testing';

import { InMemoryAccessControl } from '../access-control/access-control.connector.fake';
import { InMemoryBadgeStepRepository } from '../badge-steps/badge-step.repository.fake';
import { NEW_HIRE_BADGE } from '../issuance/issuance.domain';
import { IssuanceService } from '../issuance/issuance.service';
import { OFFBOARDING_BADGE } from './offboarding.domain';
import { OffboardingService } from './offboarding.service';

const EMPLOYEE = TEST_SUBJECT.employeeId;

const setUp = () => {
  const ports = inMemoryPorts();
  const accessControl = new InMemoryAccessControl();
  const steps = ports.enlist(new InMemoryBadgeStepRepository());
  return { accessControl, steps, outbox: ports.outbox, service: new OffboardingService(ports, steps, accessControl), issuance: new IssuanceService(ports, steps, accessControl) };
};

const leaver = () => sampleRequest('offboarding');
const retry = (of: Requested<'offboarding'>, attempt: number) => retryRequested(of, OFFBOARDING_BADGE, attempt);
const compensation = (of: Requested<'offboarding'>) => compensationRequested(of, OFFBOARDING_BADGE);

describe('the badge step of an offboarding', () => {
  it('revokes every active badge of the leaver, reads them back, and reports them; nobody else’s badge is touched', async () => {
    const { accessControl, outbox, service, steps } = setUp();
    accessControl.has('B-1', EMPLOYEE, ['main-entrance']);
    accessControl.has('B-2', EMPLOYEE, ['lab', 'main-entrance']);
    accessControl.has('B-0', EMPLOYEE, ['main-entrance'], false);
    accessControl.has('B-9', 'E9', ['main-entrance']);
    const request = leaver();
    await service.revokeBadges([request]);

    expect(outbox.eventsOf(BadgeRevokedV1).map((e) => e.payload)).toEqual([{ employeeId: EMPLOYEE, revokedBadges: ['B-1', 'B-2'], activeBadges: [], verifiedAt: at.toISOString() }]);
    expect([...accessControl.badges.values()].map((b) => [b.badgeId, b.active, b.deactivatedFor])).toEqual([
      ['B-1', false, request.requestId],
      ['B-2', false, request.requestId],
      ['B-0', false, null],
      ['B-9', true, null],
    ]);
    expect(steps.records.get(request.requestId)).toMatchObject({ status: 'verified', badgesBefore: ['B-1', 'B-2'] });
    expect(steps.lockedEmployees).toContain(EMPLOYEE);
  });

  it('verifies a leaver with no active badge with empty lists, and has nothing to undo', async () => {
    const { accessControl, outbox, service } = setUp();
    accessControl.has('B-0', EMPLOYEE, ['main-entrance'], false);
    const request = leaver();
    await service.revokeBadges([request]);
    await service.compensate([compensation(request)]);
    expect(outbox.eventsOf(BadgeRevokedV1).map((e) => e.payload)).toEqual([{ employeeId: EMPLOYEE, revokedBadges: [], activeBadges: [], verifiedAt: at.toISOString() }]);
    expect(outbox.eventsOf(BadgeCompensatedV1).map((e) => e.payload.undone)).toEqual([`nothing to undo: ${EMPLOYEE} had no active badge`]);
    expect(accessControl.badges.get('B-0')?.active).toBe(false);
  });

  it('reports a refusal and a read-back that disagrees; a retry revokes what is still active, a badge issued meanwhile too, and keeps it', async () => {
    const { accessControl, outbox, service, steps } = setUp();
    accessControl.has('B-1', EMPLOYEE, ['main-entrance']);
    const request = leaver();
    accessControl.refuse = true;
    await service.revokeBadges([request]);
    accessControl.refuse = false;
    accessControl.ignoreChanges = true;
    await service.retry([retry(request, 2)]);
    expect(outbox.eventsOf(BadgeFailedV1).map((e) => e.payload)).toEqual([
      expect.objectContaining({ step: 'badge', attempt: 1, code: 'PROVISIONING_FAILED', reason: 'access control system refused the deactivation of B-1' }),
      expect.objectContaining({ step: 'badge', attempt: 2, code: 'VERIFICATION_MISMATCH', reason: `read-back disagrees: badge(s) B-1 of ${EMPLOYEE} still active` }),
    ]);

    accessControl.ignoreChanges = false;
    accessControl.has('B-NEW', EMPLOYEE, ['main-entrance']);
    await service.retry([retry(request, 3)]);
    expect(outbox.eventsOf(BadgeRevokedV1).map((e) => e.payload.revokedBadges)).toEqual([['B-1', 'B-NEW']]);
    expect(steps.records.get(request.requestId)?.badgesBefore).toEqual(['B-1', 'B-NEW']);
  });

  it('keeps the badges before in a transaction of its own: after an attempt that broke off half-way, compensation knows what to give back', async () => {
    const { accessControl, outbox, service, steps } = setUp();
    accessControl.has('B-1', EMPLOYEE, ['main-entrance']);
    accessControl.has('B-2', EMPLOYEE, ['main-entrance']);
    const deactivate = accessControl.deactivateBadge.bind(accessControl);
    jest.spyOn(accessControl, 'deactivateBadge').mockImplementation(async (badgeId: string, orderRef: string, employeeId?: string) => {
      await deactivate(badgeId, orderRef, employeeId);
      throw new Error('connection lost');
    });
    const request = leaver();
    await expect(service.revokeBadges([request])).rejects.toThrow('connection lost');
    expect(outbox.sent).toEqual([]);
    expect(steps.records.get(request.requestId)).toMatchObject({ status: 'pending', badgesBefore: ['B-1', 'B-2'] });
    expect(accessControl.badges.get('B-1')?.active).toBe(false);

    jest.restoreAllMocks();
    await service.compensate([compensation(request)]);
    expect(accessControl.badges.get('B-1')?.active).toBe(true);
    expect(outbox.eventsOf(BadgeCompensatedV1).map((e) => e.payload.undone)).toEqual([`badge(s) B-1 of ${EMPLOYEE} active again`]);
  });

  it('leaves retries of another step of the journey to their owner', async () => {
    const { accessControl, outbox, service } = setUp();
    accessControl.has('B-1', EMPLOYEE, ['main-entrance']);
    await service.retry([retryRequested(leaver(), { owner: 'device', step: 'device-return' }, 2)]);
    expect(accessControl.badges.get('B-1')?.active).toBe(true);
    expect(outbox.sent).toEqual([]);
  });
});

describe('compensating an offboarding’s badges', () => {
  it('activates again the badges it revoked, and only those; then nothing more for the journey', async () => {
    const { accessControl, outbox, service, steps } = setUp();
    accessControl.has('B-1', EMPLOYEE, ['main-entrance']);
    accessControl.has('B-0', EMPLOYEE, ['main-entrance'], false);
    const request = leaver();
    await service.revokeBadges([request]);
    outbox.clear();

    await service.compensate([compensation(request)]);
    expect(accessControl.badges.get('B-1')).toMatchObject({ active: true, deactivatedFor: null });
    expect(accessControl.badges.get('B-0')?.active).toBe(false);
    expect(outbox.eventsOf(BadgeCompensatedV1).map((e) => e.payload)).toEqual([{ step: 'badge', undone: `badge(s) B-1 of ${EMPLOYEE} active again`, compensatedAt: at.toISOString() }]);
    expect(steps.records.get(request.requestId)?.status).toBe('compensated');

    await service.revokeBadges([request]);
    await service.retry([retry(request, 2)]);
    expect(outbox.topics()).toEqual([BadgeCompensatedV1.topic]);
    expect(accessControl.badges.get('B-1')?.active).toBe(true);
  });

  it('never activates again a badge whose new-hire journey was cancelled since', async () => {
    const { accessControl, outbox, service, issuance } = setUp();
    accessControl.has('B-HELD', EMPLOYEE, ['main-entrance']);
    const hire = sampleRequest('new-hire', { definitionVersion: 2, definition: definitionDocument(NEW_HIRE_V2) });
    await issuance.issueBadges([hire]);
    const request = leaver();
    await service.revokeBadges([request]);
    expect(outbox.eventsOf(BadgeRevokedV1).map((e) => e.payload.revokedBadges)).toEqual([['B-1', 'B-HELD']]);
    outbox.clear();

    // The new hire is cancelled while the offboarding holds its badge: it finds the badge deactivated, and leaves it so.
    await issuance.compensate([compensationRequested(hire, NEW_HIRE_BADGE)]);
    await service.compensate([compensation(request)]);
    expect(outbox.eventsOf(BadgeCompensatedV1).map((e) => e.payload.undone)).toEqual([
      `badge B-1 was already deactivated by journey ${request.requestId}; left as it is`,
      `badge(s) B-HELD of ${EMPLOYEE} active again; left alone: B-1 (its new-hire journey ${hire.requestId} was cancelled since)`,
    ]);
    expect(accessControl.badges.get('B-1')?.active).toBe(false);
    expect(accessControl.badges.get('B-HELD')?.active).toBe(true);
  });

  it('confirms no compensation the system refuses or contradicts: assurance asks again', async () => {
    const { accessControl, outbox, service, steps } = setUp();
    accessControl.has('B-1', EMPLOYEE, ['main-entrance']);
    const request = leaver();
    await service.revokeBadges([request]);
    outbox.clear();
    accessControl.ignoreChanges = true;
    await service.compensate([compensation(request)]);
    accessControl.ignoreChanges = false;
    accessControl.refuse = true;
    await service.compensate([compensation(request)]);
    expect(outbox.sent).toEqual([]);
    expect(accessControl.badges.get('B-1')?.active).toBe(false);
    expect(steps.records.get(request.requestId)?.status).toBe('verified');
  });
});
