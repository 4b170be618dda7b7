import { AccountCompensatedV1, AccountFailedV1, DirectoryAccessChangedV1, type Requested } from '@closeloop/contracts';
import { compensationRequested, inMemoryPorts, sampleRequest, TEST_SUBJECT, TEST_TIME as at } from '@closeloop/participant/testing';

import { InMemoryAccountStepRepository } from '../account-steps/account-step.repository.fake';
import { InMemoryDirectory } from '../directory/directory.connector.fake';
import { DIRECTORY_ACCESS } from './access-change.domain';
import { AccessChangeService } from './access-change.service';

const EMPLOYEE = TEST_SUBJECT.employeeId;

const setUp = () => {
  const ports = inMemoryPorts();
  const directory = new InMemoryDirectory();
  const steps = ports.enlist(new InMemoryAccountStepRepository());
  directory.has(EMPLOYEE, ['staff', 'sales']);
  return { directory, steps, outbox: ports.outbox, service: new AccessChangeService(ports, steps, directory) };
};

const accessChange = (remove: string[], grant: string[]) => sampleRequest('access-change', { remove: { groups: remove, apps: [] }, grant: { groups: grant, apps: [] } });
const compensation = (of: Requested<'access-change'>) => compensationRequested(of, DIRECTORY_ACCESS);

describe('the directory step of an access change', () => {
  it('moves the account out of the removed groups and into the granted ones, and reports what the directory reads back', async () => {
    const { directory, outbox, service, steps } = setUp();
    const change = accessChange(['sales'], ['engineering']);
    await service.change([change]);
    expect(directory.accounts.get(EMPLOYEE)?.groups).toEqual(['engineering', 'staff']);
    expect(outbox.eventsOf(DirectoryAccessChangedV1).map((e) => e.payload)).toEqual([
      { accountId: `u-${EMPLOYEE}`, employeeId: EMPLOYEE, removedGroups: ['sales'], grantedGroups: ['engineering'], groups: ['engineering', 'staff'], verifiedAt: at.toISOString() },
    ]);
    expect(steps.records.get(change.requestId)).toMatchObject({ status: 'verified', groupsBefore: ['sales', 'staff'] });
    expect(steps.lockedEmployees).toContain(EMPLOYEE);
  });

  it('does not report a change the directory says it made but the read-back contradicts', async () => {
    const { directory, outbox, service } = setUp();
    directory.ignoreChanges = true;
    await service.change([accessChange(['sales'], ['engineering'])]);
    expect(outbox.topics()).toEqual([AccountFailedV1.topic]);
    expect(outbox.eventsOf(AccountFailedV1)[0]?.payload).toMatchObject({
      step: 'directory-access',
      code: 'VERIFICATION_MISMATCH',
      reason: 'read-back disagrees: still in removed group(s) sales; not in granted group(s) engineering',
    });
  });

  it('changes nothing for a subject without an account', async () => {
    const { directory, outbox, service } = setUp();
    directory.accounts.clear();
    await service.change([accessChange([], ['engineering'])]);
    expect(outbox.eventsOf(AccountFailedV1)[0]?.payload.reason).toBe(`the directory has no account for employee ${EMPLOYEE}: an access change needs the subject's existing account`);
  });

  it('compensation puts back the groups as they were before this journey, except one another journey changed since', async () => {
    const { directory, outbox, service } = setUp();
    const undone = accessChange(['sales'], ['engineering']);
    await service.change([undone]);
    const later = accessChange(['engineering'], ['support']);
    await service.change([later]);
    outbox.clear();

    await service.compensate([compensation(undone)]);
    expect(directory.accounts.get(EMPLOYEE)?.groups).toEqual(['sales', 'staff', 'support']);
    expect(outbox.eventsOf(AccountCompensatedV1)[0]?.payload.undone).toBe(
      `groups of u-${EMPLOYEE} restored: back in sales; out of none; left alone, changed by another journey since: engineering (${later.requestId})`,
    );

    await service.change([undone]);
    expect(outbox.topics()).toEqual([AccountCompensatedV1.topic]);
  });

  it('confirms no compensation the directory contradicts: assurance asks again', async () => {
    const { directory, outbox, service } = setUp();
    const change = accessChange(['sales'], []);
    await service.change([change]);
    outbox.clear();
    directory.ignoreChanges = true;
    await service.compensate([compensation(change)]);
    expect(outbox.sent).toEqual([]);
  });
});
