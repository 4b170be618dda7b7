import { randomUUID } from 'node:crypto';

import { AccountCompensatedV1, AccountDisabledV1, AccountFailedV1, DirectoryAccessChangedV1, type Requested } from '@closeloop/contracts';
import { compensationRequested, inMemoryPorts, retryRequested, sampleRequest, TEST_SUBJECT, TEST_TIME as at } from '@closeloop/participant/testing';

import { DIRECTORY_ACCESS } from '../access-change/access-change.domain';
import { AccessChangeService } from '../access-change/access-change.service';
import { InMemoryAccountStepRepository } from '../account-steps/account-step.repository.fake';
import { InMemoryDirectory } from '../directory/directory.connector.fake';
import { OFFBOARDING_ACCOUNT } from './offboarding.domain';
import { OffboardingService } from './offboarding.service';

const EMPLOYEE = TEST_SUBJECT.employeeId;
const ACCOUNT = `u-${EMPLOYEE}`;

const setUp = () => {
  const ports = inMemoryPorts();
  const directory = new InMemoryDirectory();
  const steps = ports.enlist(new InMemoryAccountStepRepository());
  directory.has(EMPLOYEE, ['staff', 'sales']);
  return { ports, directory, steps, outbox: ports.outbox, service: new OffboardingService(ports, steps, directory), accessChanges: new AccessChangeService(ports, steps, directory) };
};

const leaver = () => sampleRequest('offboarding');
const retry = (of: Requested<'offboarding'>, attempt: number) => retryRequested(of, OFFBOARDING_ACCOUNT, attempt);
const compensation = (of: Requested<'offboarding'>) => compensationRequested(of, OFFBOARDING_ACCOUNT);
const accessChange = (remove: string[], grant: string[]) => sampleRequest('access-change', { remove: { groups: remove, apps: [] }, grant: { groups: grant, apps: [] } });

describe('the account step of an offboarding', () => {
  it('disables the account, ends its sessions and removes every group, and reports what the directory reads back', async () => {
    const { directory, outbox, service, steps } = setUp();
    const request = leaver();
    await service.takeBack([request]);
    expect(directory.accounts.get(EMPLOYEE)).toMatchObject({ enabled: false, groups: [], activeSessions: 0 });
    expect(outbox.eventsOf(AccountDisabledV1).map((e) => e.payload)).toEqual([
      { accountId: ACCOUNT, employeeId: EMPLOYEE, enabled: false, groups: [], removedGroups: ['sales', 'staff'], sessionsRevoked: 1, activeSessions: 0, verifiedAt: at.toISOString() },
    ]);
    expect(outbox.eventsOf(AccountDisabledV1)[0]?.causationId).toBe(request.eventId);
    expect(steps.records.get(request.requestId)).toMatchObject({ status: 'verified', accountId: ACCOUNT, enabledBefore: true, groupsBefore: ['sales', 'staff'] });
    expect(steps.lockedEmployees).toContain(EMPLOYEE);
  });

  it('does not report an account the directory says it disabled but the read-back shows otherwise', async () => {
    const { directory, outbox, service } = setUp();
    directory.ignoreChanges = true;
    await service.takeBack([leaver()]);
    expect(outbox.topics()).toEqual([AccountFailedV1.topic]);
    expect(outbox.eventsOf(AccountFailedV1)[0]?.payload).toMatchObject({
      step: 'account',
      code: 'VERIFICATION_MISMATCH',
      reason: 'read-back disagrees: the account is still enabled; still in group(s) sales, staff; 1 session(s) still active',
    });
  });

  it('fails for an employee without an account, saying why, and has nothing to undo', async () => {
    const { directory, outbox, service } = setUp();
    directory.accounts.clear();
    const request = leaver();
    await service.takeBack([request]);
    expect(outbox.eventsOf(AccountFailedV1)[0]?.payload).toMatchObject({ code: 'PROVISIONING_FAILED', reason: expect.stringContaining(`the directory has no account for employee ${EMPLOYEE}: nothing was disabled`) });

    await service.compensate([compensation(request)]);
    expect(outbox.eventsOf(AccountCompensatedV1)[0]?.payload).toMatchObject({ step: 'account', undone: 'nothing to undo: this offboarding disabled no account (it found none, or had not started)' });
  });

  it('reports a refusal of the directory as a failed step, but leaves an outage to the next delivery', async () => {
    const { directory, outbox, service, ports } = setUp();
    const request = leaver();
    directory.unreachable = true;
    await expect(service.takeBack([request])).rejects.toThrow('directory unreachable');
    expect(outbox.sent).toEqual([]);
    expect(ports.inbox.handled.size).toBe(0);

    directory.unreachable = false;
    directory.refuse = true;
    await service.takeBack([request]);
    expect(outbox.eventsOf(AccountFailedV1)[0]?.payload).toMatchObject({ code: 'PROVISIONING_FAILED', reason: `directory refused the lookup of ${EMPLOYEE}` });
    expect(directory.accounts.get(EMPLOYEE)).toMatchObject({ enabled: true, groups: ['sales', 'staff'] });
  });

  it('answers a retry of a verified step with the same report, and touches the directory no more', async () => {
    const { directory, outbox, service } = setUp();
    const request = leaver();
    await service.takeBack([request]);
    const [reported] = outbox.sent;
    outbox.clear();

    directory.unreachable = true;
    await service.retry([retry(request, 2), retry(request, 3)]);
    expect(outbox.sent.map((e) => e.event)).toEqual([reported?.event]);
  });

  it('a retry of a failed step does what is missing, and still reports the groups as they were before the journey', async () => {
    const { directory, outbox, service } = setUp();
    const request = leaver();
    directory.ignoreChanges = true;
    await service.takeBack([request]);
    directory.ignoreChanges = false;
    await service.retry([retry(request, 2)]);
    expect(outbox.topics()).toEqual([AccountFailedV1.topic, AccountDisabledV1.topic]);
    expect(outbox.eventsOf(AccountDisabledV1)[0]?.payload).toMatchObject({ removedGroups: ['sales', 'staff'], sessionsRevoked: 1 });
  });

  it('does it once per journey: a second request does nothing', async () => {
    const { directory, outbox, service } = setUp();
    const request = leaver();
    await service.takeBack([request]);
    directory.has(EMPLOYEE, ['staff']);
    await service.takeBack([{ ...request, eventId: randomUUID() }]);
    expect(outbox.topics()).toEqual([AccountDisabledV1.topic]);
    expect(directory.accounts.get(EMPLOYEE)?.enabled).toBe(true);
  });
});

describe('compensating an offboarding', () => {
  it('enables the account again and gives back its groups, but not its sessions; then does nothing more for the journey', async () => {
    const { directory, outbox, service, steps } = setUp();
    const request = leaver();
    await service.takeBack([request]);
    outbox.clear();

    await service.compensate([compensation(request)]);
    expect(directory.accounts.get(EMPLOYEE)).toMatchObject({ enabled: true, groups: ['sales', 'staff'], activeSessions: 0 });
    expect(outbox.eventsOf(AccountCompensatedV1)[0]?.payload).toMatchObject({
      step: 'account',
      undone: `account ${ACCOUNT} enabled again; back in group(s) sales, staff; sessions are not given back`,
    });
    expect(steps.records.get(request.requestId)?.status).toBe('compensated');

    await service.takeBack([request]);
    await service.retry([retry(request, 2)]);
    expect(outbox.topics()).toEqual([AccountCompensatedV1.topic]);
    expect(directory.accounts.get(EMPLOYEE)?.enabled).toBe(true);
  });

  it('leaves disabled an account that was disabled before the journey', async () => {
    const { directory, outbox, service } = setUp();
    directory.has(EMPLOYEE, ['staff'], false);
    const request = leaver();
    await service.takeBack([request]);
    await service.compensate([compensation(request)]);
    expect(directory.accounts.get(EMPLOYEE)).toMatchObject({ enabled: false, groups: ['staff'] });
    expect(outbox.eventsOf(AccountCompensatedV1)[0]?.payload.undone).toBe(`account ${ACCOUNT} left disabled, as it was before this journey; back in group(s) staff; sessions are not given back`);
  });

  it('never gives back a group another journey took away since, nor enables an account another offboarding disabled since', async () => {
    const { directory, outbox, service, accessChanges } = setUp();
    const request = leaver();
    await service.takeBack([request]);
    // Meanwhile security takes sales away for good, and a second offboarding of the employee runs.
    const revoke = accessChange(['sales'], []);
    await accessChanges.change([revoke]);
    const second = leaver();
    await service.takeBack([second]);
    outbox.clear();

    await service.compensate([compensation(request)]);
    expect(directory.accounts.get(EMPLOYEE)).toMatchObject({ enabled: false, groups: [] });
    expect(outbox.eventsOf(AccountCompensatedV1)[0]?.payload.undone).toBe(
      `account ${ACCOUNT} left disabled, offboarded by another journey since: ${second.requestId}; back in group(s) none; left alone, changed by another journey since: sales (${revoke.requestId}, ${second.requestId}), staff (${second.requestId}); sessions are not given back`,
    );
  });

  it('keeps an access change that is undone later from giving groups back to the leaver', async () => {
    const { directory, outbox, service, accessChanges } = setUp();
    const move = accessChange(['sales'], ['engineering']);
    await accessChanges.change([move]);
    expect(outbox.topics()).toEqual([DirectoryAccessChangedV1.topic]);
    const request = leaver();
    await service.takeBack([request]);
    outbox.clear();

    await accessChanges.compensate([compensationRequested(move, DIRECTORY_ACCESS)]);
    expect(directory.accounts.get(EMPLOYEE)).toMatchObject({ enabled: false, groups: [] });
    expect(outbox.eventsOf(AccountCompensatedV1)[0]?.payload.undone).toBe(
      `groups of ${ACCOUNT} restored: back in none; out of none; left alone, changed by another journey since: sales (${request.requestId}), engineering (${request.requestId})`,
    );
  });

  it('confirms no compensation the directory contradicts: assurance asks again', async () => {
    const { directory, outbox, service } = setUp();
    const request = leaver();
    await service.takeBack([request]);
    outbox.clear();
    directory.ignoreChanges = true;
    await service.compensate([compensation(request)]);
    expect(outbox.sent).toEqual([]);

    directory.ignoreChanges = false;
    directory.refuse = true;
    await service.compensate([compensation(request)]);
    expect(outbox.sent).toEqual([]);
  });
});
