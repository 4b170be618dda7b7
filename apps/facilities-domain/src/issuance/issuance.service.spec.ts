import { BadgeCompensatedV1, BadgeFailedV1, BadgeGrantedV1, definitionDocument, NEW_HIRE_V2, type Requested } from '@closeloop/contracts';
import { compensationRequested, inMemoryPorts, retryRequested, sampleRequest, TEST_SUBJECT, TEST_TIME as at } from '@closeloop/participant/testing';

import { InMemoryAccessControl } from '../access-control/access-control.connector.fake';
import { InMemoryBadgeStepRepository } from '../badge-steps/badge-step.repository.fake';
import { NEW_HIRE_BADGE } from './issuance.domain';
import { IssuanceService } from './issuance.service';

const EMPLOYEE = TEST_SUBJECT.employeeId;

const setUp = () => {
  const ports = inMemoryPorts();
  const accessControl = new InMemoryAccessControl();
  const steps = ports.enlist(new InMemoryBadgeStepRepository());
  return { accessControl, steps, ports, outbox: ports.outbox, service: new IssuanceService(ports, steps, accessControl) };
};

const newHire = (groups: string[] = ['staff', 'engineering']) => sampleRequest('new-hire', { groups, definitionVersion: 2, definition: definitionDocument(NEW_HIRE_V2) });
const retry = (of: Requested<'new-hire'>, attempt: number) => retryRequested(of, NEW_HIRE_BADGE, attempt);
const compensation = (of: Requested<'new-hire'>) => compensationRequested(of, NEW_HIRE_BADGE);
const badgeOf = (steps: InMemoryBadgeStepRepository, hire: Requested<'new-hire'>) => steps.records.get(hire.requestId)?.badgeId as string;

describe('the badge step of a new hire', () => {
  it('issues a badge of its own opening the zones of the new hire’s groups, and reports what the system reads back', async () => {
    const { accessControl, outbox, service, steps } = setUp();
    accessControl.has('B-HELD', EMPLOYEE, ['main-entrance']);
    const hire = newHire(['staff', 'engineering']);
    await service.issueBadges([hire]);

    const badgeId = badgeOf(steps, hire);
    expect(badgeId).not.toBe('B-HELD');
    expect(accessControl.badges.get(badgeId)).toEqual({ badgeId, employeeId: EMPLOYEE, zones: ['lab', 'main-entrance'], active: true, issuedFor: hire.requestId, deactivatedFor: null });
    expect(outbox.eventsOf(BadgeGrantedV1).map((e) => e.payload)).toEqual([{ badgeId, employeeId: EMPLOYEE, active: true, zones: ['lab', 'main-entrance'], verifiedAt: at.toISOString() }]);
    expect(steps.records.get(hire.requestId)).toMatchObject({ status: 'verified', zones: ['lab', 'main-entrance'], failure: null });
    expect(steps.lockedEmployees).toContain(EMPLOYEE);
  });

  it('issues once: a redelivered request does nothing, and a retry finds the same badge and reports it again', async () => {
    const { accessControl, outbox, service, steps } = setUp();
    const hire = newHire();
    await service.issueBadges([hire]);
    await service.issueBadges([hire]);
    await service.retry([retry(hire, 2)]);
    expect(accessControl.badges.size).toBe(1);
    expect(outbox.eventsOf(BadgeGrantedV1).map((e) => e.payload.badgeId)).toEqual([badgeOf(steps, hire), badgeOf(steps, hire)]);
  });

  it('reports a refusal and a read-back that disagrees as failures of the attempt; a later retry issues the badge', async () => {
    const { accessControl, outbox, service } = setUp();
    const hire = newHire(['finance']);
    accessControl.refuse = true;
    await service.issueBadges([hire]);
    accessControl.refuse = false;
    accessControl.ignoreChanges = true;
    await service.retry([retry(hire, 2)]);
    expect(outbox.eventsOf(BadgeFailedV1).map((e) => e.payload)).toEqual([
      expect.objectContaining({ step: 'badge', attempt: 1, code: 'PROVISIONING_FAILED', reason: `access control system refused a badge for ${EMPLOYEE}` }),
      expect.objectContaining({ step: 'badge', attempt: 2, code: 'VERIFICATION_MISMATCH', reason: 'read-back disagrees: badge B-1 is inactive' }),
    ]);

    accessControl.ignoreChanges = false;
    await service.retry([retry(hire, 3)]);
    expect(outbox.topics().at(-1)).toBe(BadgeGrantedV1.topic);
    expect(accessControl.badges.get('B-1')).toMatchObject({ active: true, zones: ['finance-floor', 'main-entrance'] });
  });

  it('reports nothing when the system cannot be reached: the batch is tried again', async () => {
    const { accessControl, outbox, ports, service, steps } = setUp();
    accessControl.unreachable = true;
    const hire = newHire();
    await expect(service.issueBadges([hire])).rejects.toThrow('access control system unreachable');
    expect(outbox.sent).toEqual([]);
    expect(steps.records.size).toBe(0);
    expect(ports.inbox.handled.size).toBe(0);
  });

  it('leaves retries of another step of the journey to their owner', async () => {
    const { accessControl, outbox, service } = setUp();
    await service.retry([retryRequested(newHire(), { owner: 'identity', step: 'identity' }, 2)]);
    expect(accessControl.badges.size).toBe(0);
    expect(outbox.sent).toEqual([]);
  });
});

describe('compensating a new hire’s badge', () => {
  it('deactivates only the badge this journey issued; the employee’s other badges, another journey’s too, stay active; then nothing more for the journey', async () => {
    const { accessControl, outbox, service, steps } = setUp();
    accessControl.has('B-HELD', EMPLOYEE, ['main-entrance']);
    const kept = newHire();
    const cancelled = newHire();
    await service.issueBadges([kept, cancelled]);
    outbox.clear();

    await service.compensate([compensation(cancelled)]);
    const cancelledBadge = badgeOf(steps, cancelled);
    expect(accessControl.badges.get(cancelledBadge)).toMatchObject({ active: false, deactivatedFor: cancelled.requestId });
    expect(accessControl.badges.get(badgeOf(steps, kept))?.active).toBe(true);
    expect(accessControl.badges.get('B-HELD')?.active).toBe(true);
    expect(outbox.eventsOf(BadgeCompensatedV1).map((e) => e.payload)).toEqual([{ step: 'badge', undone: `badge ${cancelledBadge} deactivated`, compensatedAt: at.toISOString() }]);
    expect(steps.records.get(cancelled.requestId)).toMatchObject({ status: 'compensated', badgeId: cancelledBadge });

    await service.issueBadges([cancelled]);
    await service.retry([retry(cancelled, 2)]);
    expect(outbox.topics()).toEqual([BadgeCompensatedV1.topic]);
    expect(accessControl.badges.get(cancelledBadge)?.active).toBe(false);
  });

  it('has nothing to undo for a journey that issued no badge, and issues none after', async () => {
    const { accessControl, outbox, service } = setUp();
    accessControl.has('B-HELD', EMPLOYEE, ['main-entrance']);
    const hire = newHire();
    await service.compensate([compensation(hire)]);
    await service.issueBadges([hire]);
    expect(outbox.eventsOf(BadgeCompensatedV1).map((e) => e.payload.undone)).toEqual(['nothing to undo: no badge was issued for this journey']);
    expect(outbox.topics()).toEqual([BadgeCompensatedV1.topic]);
    expect([...accessControl.badges.keys()]).toEqual(['B-HELD']);
  });

  it('confirms no compensation the system refuses or contradicts: assurance asks again', async () => {
    const { accessControl, outbox, service, steps } = setUp();
    const hire = newHire();
    await service.issueBadges([hire]);
    outbox.clear();
    accessControl.ignoreChanges = true;
    await service.compensate([compensation(hire)]);
    accessControl.ignoreChanges = false;
    accessControl.refuse = true;
    await service.compensate([compensation(hire)]);
    expect(outbox.sent).toEqual([]);
    expect(accessControl.badges.get(badgeOf(steps, hire))?.active).toBe(true);
    expect(steps.records.get(hire.requestId)?.status).toBe('verified');
  });
});
