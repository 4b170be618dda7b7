import { randomUUID } from 'node:crypto';

import { AccessCompensatedV1, AccessFailedV1, AccountVerifiedV1, buildEvent, LicenceActivatedV1, type Requested } from '@closeloop/contracts';
import { compensationRequested, inMemoryPorts, retryRequested, sampleRequest, TEST_SUBJECT, TEST_TIME as at } from '@closeloop/participant/testing';

import { InMemorySaasAdmin } from '../saas-admin/saas-admin.connector.fake';
import { InMemoryLicenceRequestRepository } from './licence-request.repository.fake';
import { LICENCE } from './licensing.domain';
import { LicensingService } from './licensing.service';

const EMPLOYEE = TEST_SUBJECT.employeeId;
const ACCOUNT = 'u-E1';

const setUp = async () => {
  const ports = inMemoryPorts();
  const saas = new InMemorySaasAdmin();
  await saas.ensureAccess('asana', ACCOUNT, 'member');
  const licences = ports.enlist(new InMemoryLicenceRequestRepository());
  return { saas, licences, outbox: ports.outbox, service: new LicensingService(ports, licences, saas) };
};

const licensing = () => sampleRequest('saas-licensing');

/** identity's check of the account, as the licence step hears of it. */
const accountChecked = (of: Requested<'saas-licensing'>) =>
  buildEvent(
    AccountVerifiedV1,
    { requestId: of.requestId, journeyType: of.journeyType, producer: 'identity-domain' },
    { accountId: ACCOUNT, employeeId: EMPLOYEE, enabled: true, groups: ['staff'], verifiedAt: at.toISOString() },
    { eventId: randomUUID(), occurredAt: at },
  );

const evidence = { [AccountVerifiedV1.topic]: { accountId: ACCOUNT } };
const retry = (of: Requested<'saas-licensing'>, attempt: number) => retryRequested(of, LICENCE, attempt, evidence);
const compensation = (of: Requested<'saas-licensing'>) => compensationRequested(of, LICENCE, evidence);

describe('the licence step of SaaS licensing', () => {
  it('assigns the seats once both the request and the checked account are there, in either order, and reports what the app reads back', async () => {
    const { saas, outbox, service } = await setUp();
    const request = licensing();
    const checked = accountChecked(request);
    await service.onAccountVerified([checked]);
    expect(saas.seats.size).toBe(0);
    expect(outbox.sent).toEqual([]);

    await service.onRequested([request]);
    expect(outbox.eventsOf(LicenceActivatedV1).map((e) => e.payload)).toEqual([
      { app: 'asana', accountId: ACCOUNT, licenceType: 'business', seats: 2, active: true, activatedAt: at.toISOString() },
    ]);
    expect(outbox.eventsOf(LicenceActivatedV1)[0]?.causationId).toBe(request.eventId);

    await service.onRequested([request]);
    await service.onAccountVerified([accountChecked(request)]);
    expect(outbox.topics()).toEqual([LicenceActivatedV1.topic]);
  });

  it('reports no activation the app does not show, and a retry assigns what is missing', async () => {
    const { saas, outbox, service } = await setUp();
    const request = licensing();
    saas.ignoreSeats = true;
    await service.onRequested([request]);
    await service.onAccountVerified([accountChecked(request)]);
    expect(outbox.eventsOf(AccessFailedV1)[0]?.payload).toMatchObject({ step: 'licence', attempt: 1, code: 'VERIFICATION_MISMATCH', reason: 'read-back disagrees: asana shows no seats for the account' });

    saas.ignoreSeats = false;
    await service.onRetryRequested([retry(request, 2)]);
    expect(outbox.topics()).toEqual([AccessFailedV1.topic, LicenceActivatedV1.topic]);
  });

  it('fails the step the app refuses, with the app’s reason', async () => {
    const { saas, outbox, service } = await setUp();
    const request = licensing();
    saas.refuse = true;
    await service.onRetryRequested([retry(request, 3)]);
    expect(outbox.eventsOf(AccessFailedV1)[0]?.payload).toMatchObject({ attempt: 3, code: 'PROVISIONING_FAILED', reason: 'asana refused the change' });
  });

  it('compensation sets the seats back to what the account held before the journey, read back', async () => {
    const { saas, outbox, service } = await setUp();
    await saas.ensureSeats('asana', ACCOUNT, 'standard', 1);
    const request = licensing();
    await service.onRetryRequested([retry(request, 1)]);
    expect(saas.seats.get(`asana:${ACCOUNT}`)).toMatchObject({ licenceType: 'business', seats: 2 });

    await service.compensate([compensation(request)]);
    expect(saas.seats.get(`asana:${ACCOUNT}`)).toMatchObject({ licenceType: 'standard', seats: 1 });
    expect(outbox.eventsOf(AccessCompensatedV1)[0]?.payload).toMatchObject({ step: 'licence', undone: `asana seats of ${ACCOUNT} set back to 1 standard` });
  });

  it('after a compensation assigns nothing for the journey, whatever arrives late', async () => {
    const { saas, outbox, service } = await setUp();
    const request = licensing();
    await service.compensate([compensation(request)]);
    expect(outbox.eventsOf(AccessCompensatedV1)[0]?.payload.undone).toBe('nothing to undo: no seats were assigned');

    await service.onRequested([request]);
    await service.onAccountVerified([accountChecked(request)]);
    await service.onRetryRequested([retry(request, 2)]);
    expect(saas.seats.size).toBe(0);
    expect(outbox.topics()).toEqual([AccessCompensatedV1.topic]);
  });
});
