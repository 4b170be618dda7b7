import { randomUUID } from 'node:crypto';

import { AccountCompensatedV1, AccountFailedV1, AccountVerifiedV1, type Requested } from '@closeloop/contracts';
import { compensationRequested, inMemoryPorts, retryRequested, sampleRequest, TEST_SUBJECT, TEST_TIME as at } from '@closeloop/participant/testing';

import { InMemoryAccountStepRepository } from '../account-steps/account-step.repository.fake';
import { InMemoryDirectory } from '../directory/directory.connector.fake';
import { ACCOUNT_CHECK } from './account-check.domain';
import { AccountCheckService } from './account-check.service';

const EMPLOYEE = TEST_SUBJECT.employeeId;

const setUp = () => {
  const ports = inMemoryPorts();
  const directory = new InMemoryDirectory();
  const steps = ports.enlist(new InMemoryAccountStepRepository());
  return { ports, directory, steps, outbox: ports.outbox, service: new AccountCheckService(ports, steps, directory) };
};

const licensing = () => sampleRequest('saas-licensing');
const retry = (of: Requested<'saas-licensing'>, attempt: number) => retryRequested(of, ACCOUNT_CHECK, attempt);
const compensation = (of: Requested<'saas-licensing'>) => compensationRequested(of, ACCOUNT_CHECK);

describe('the account check of SaaS licensing', () => {
  it('verifies the subject’s account only when the directory has it enabled, and reports its groups', async () => {
    const { directory, outbox, service, steps } = setUp();
    directory.has(EMPLOYEE, ['staff', 'sales']);
    const request = licensing();
    await service.check([request]);
    expect(outbox.eventsOf(AccountVerifiedV1).map((e) => e.payload)).toEqual([
      { accountId: `u-${EMPLOYEE}`, employeeId: EMPLOYEE, enabled: true, groups: ['sales', 'staff'], verifiedAt: at.toISOString() },
    ]);
    expect(outbox.eventsOf(AccountVerifiedV1)[0]?.causationId).toBe(request.eventId);
    expect(steps.records.get(request.requestId)).toMatchObject({ status: 'verified', accountId: `u-${EMPLOYEE}` });
  });

  it('fails the check of a disabled account with the reason, and never licenses to it', async () => {
    const { directory, outbox, service } = setUp();
    directory.has(EMPLOYEE, ['staff'], false);
    await service.check([licensing()]);
    expect(outbox.topics()).toEqual([AccountFailedV1.topic]);
    expect(outbox.eventsOf(AccountFailedV1)[0]?.payload).toMatchObject({ step: 'account-check', attempt: 1, code: 'PROVISIONING_FAILED', reason: `the account u-${EMPLOYEE} of employee ${EMPLOYEE} is disabled` });
  });

  it('checks once per journey: a second request does nothing, a retry looks again and reports its attempt', async () => {
    const { directory, outbox, service } = setUp();
    const request = licensing();
    await service.check([request]);
    directory.has(EMPLOYEE, ['staff']);
    await service.check([request, { ...request, eventId: randomUUID() }]);
    expect(outbox.topics()).toEqual([AccountFailedV1.topic]);

    await service.retry([retry(request, 2)]);
    expect(outbox.topics()).toEqual([AccountFailedV1.topic, AccountVerifiedV1.topic]);
  });

  it('runs only the last of a journey’s retries in a batch, and reports its attempt', async () => {
    const { outbox, service } = setUp();
    const request = licensing();
    await service.retry([retry(request, 2), retry(request, 3)]);
    expect(outbox.eventsOf(AccountFailedV1).map((e) => e.payload.attempt)).toEqual([3]);
  });

  it('after a compensation, checks nothing more for the journey', async () => {
    const { directory, outbox, service, steps } = setUp();
    directory.has(EMPLOYEE, ['staff']);
    const request = licensing();
    await service.compensate([compensation(request)]);
    expect(outbox.eventsOf(AccountCompensatedV1)[0]?.payload).toMatchObject({ step: 'account-check', undone: 'nothing to undo: the account check only read the directory' });

    await service.check([request]);
    await service.retry([retry(request, 2)]);
    expect(outbox.topics()).toEqual([AccountCompensatedV1.topic]);
    expect(steps.records.get(request.requestId)?.status).toBe('compensated');
  });

  it('reports a refusal of the directory as a failed check, but leaves an outage to the next delivery', async () => {
    const { directory, outbox, service, ports } = setUp();
    directory.has(EMPLOYEE, ['staff']);
    const request = licensing();
    directory.unreachable = true;
    await expect(service.check([request])).rejects.toThrow('directory unreachable');
    expect(outbox.sent).toEqual([]);
    expect(ports.inbox.handled.size).toBe(0);

    directory.unreachable = false;
    directory.refuse = true;
    await service.check([request]);
    expect(outbox.eventsOf(AccountFailedV1)[0]?.payload).toMatchObject({ code: 'PROVISIONING_FAILED', reason: `directory refused the lookup of ${EMPLOYEE}` });
  });
});
