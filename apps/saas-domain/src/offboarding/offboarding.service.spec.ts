import { AccessCompensatedV1, AccessFailedV1, AccessRevokedV1, type Requested } from '@closeloop/contracts';
import { compensationRequested, inMemoryPorts, retryRequested, sampleRequest, TEST_SUBJECT, TEST_TIME as at } from '@closeloop/participant/testing';

import { InMemoryAppChanges } from '../access/app-changes.repository.fake';
import { InMemorySaasAdmin } from '../saas-admin/saas-admin.connector.fake';
import type { AppUser } from '../saas-admin/user-access';
import { NO_ACCESS, OFFBOARDING_APPS } from './offboarding.domain';
import { InMemoryOffboardingRepository } from './offboarding.repository.fake';
import { OffboardingService } from './offboarding.service';

const EMPLOYEE = TEST_SUBJECT.employeeId;
const ACCOUNT = 'u-E1';
const licence = (value: string) => ({ value, type: 'licence', primary: true });

const ASANA = { active: true, roles: ['member'], entitlements: [licence('standard')], seats: null, groups: [{ id: 'g-member', name: 'member' }] };
const NOTION = { active: true, roles: ['admin'], entitlements: [], seats: { licenceType: 'enterprise', seats: 3 }, groups: [] };
const MIRO = { active: true, roles: ['editor'], entitlements: [licence('team')], seats: null, groups: [] };

/**
 * E1 holds asana and notion (apps in use) and miro (an app a journey of the service granted, in use
 * nowhere else); another employee holds slack. The service is built with `new` on in-memory fakes.
 */
const setUp = () => {
  const ports = inMemoryPorts();
  const saas = new InMemorySaasAdmin();
  saas.apps = ['asana', 'notion', 'slack'];
  saas.addUser('asana', ACCOUNT, EMPLOYEE, ASANA);
  saas.addUser('notion', ACCOUNT, EMPLOYEE, NOTION);
  saas.addUser('miro', ACCOUNT, EMPLOYEE, MIRO);
  saas.addUser('slack', 'u-E2', 'E2', { roles: ['member'], entitlements: [licence('pro')] });
  const appChanges = new InMemoryAppChanges();
  appChanges.named.set(EMPLOYEE, { apps: ['miro'], accountIds: [ACCOUNT] });
  const offboardings = ports.enlist(new InMemoryOffboardingRepository());
  const service = new OffboardingService(ports, offboardings, appChanges, saas);
  return { ports, saas, appChanges, offboardings, outbox: ports.outbox, service };
};

const leaver = () => sampleRequest('offboarding');
const retry = (of: Requested<'offboarding'>, attempt: number) => retryRequested(of, OFFBOARDING_APPS, attempt);
const compensation = (of: Requested<'offboarding'>) => compensationRequested(of, OFFBOARDING_APPS);
const held = async (saas: InMemorySaasAdmin, app: string, accountId = ACCOUNT): Promise<Omit<AppUser, 'app' | 'accountId'> | null> => {
  const user = await saas.readUser(app, accountId);
  if (!user) return null;
  const { app: _app, accountId: _account, ...access } = user;
  return access;
};

describe('the app-access step of an offboarding', () => {
  it('finds every app where the leaver has a user, takes everything back, and reports what each app reads back', async () => {
    const { saas, outbox, service, appChanges } = setUp();
    const request = leaver();
    await service.onRequested([request]);

    const [revoked, ...more] = outbox.eventsOf(AccessRevokedV1);
    expect(more).toEqual([]);
    expect(AccessRevokedV1.schema.parse(revoked)).toEqual(revoked);
    expect(revoked?.causationId).toBe(request.eventId);
    expect(revoked?.payload).toEqual({
      employeeId: EMPLOYEE,
      apps: [
        { app: 'asana', active: false, roles: [], reclaimedLicences: ['standard'] },
        { app: 'miro', active: false, roles: [], reclaimedLicences: ['team'] },
        { app: 'notion', active: false, roles: [], reclaimedLicences: ['enterprise (3 seats)'] },
      ],
      verifiedAt: at.toISOString(),
    });
    for (const app of ['asana', 'miro', 'notion']) expect(await held(saas, app)).toEqual(NO_ACCESS);
    // Deactivated, not deleted: the same user can be given back.
    expect(await saas.readUser('asana', ACCOUNT)).not.toBeNull();
    // Another employee's user is not the leaver's.
    expect(await held(saas, 'slack', 'u-E2')).toMatchObject({ active: true, roles: ['member'] });
    expect(appChanges.locked).toContain(ACCOUNT);
  });

  it('reports a leaver without any app user verified with an empty list, changing nothing', async () => {
    const { saas, outbox, service, appChanges } = setUp();
    appChanges.named.clear();
    const request = sampleRequest('offboarding', { subject: { employeeId: 'E9', email: 'e9@acme.test', displayName: 'E Nine' } });
    await service.onRequested([request]);
    expect(outbox.eventsOf(AccessRevokedV1).map((e) => e.payload)).toEqual([{ employeeId: 'E9', apps: [], verifiedAt: at.toISOString() }]);
    expect(await held(saas, 'asana')).toEqual(ASANA);
  });

  it('runs once per journey: a request again, or redelivered, takes nothing back twice and reports nothing more', async () => {
    const { outbox, service } = setUp();
    const request = leaver();
    await service.onRequested([request]);
    await service.onRequested([request]);
    await service.onRequested([{ ...request, eventId: '00000000-0000-4000-8000-000000000001' }]);
    expect(outbox.topics()).toEqual([AccessRevokedV1.topic]);
  });

  it('never verifies a licence the app keeps; a retry takes it back and still names the licences held before', async () => {
    const { saas, outbox, service } = setUp();
    const request = leaver();
    saas.keepLicences = true;
    await service.onRequested([request]);
    expect(outbox.eventsOf(AccessFailedV1)[0]?.payload).toMatchObject({
      step: 'app-access',
      attempt: 1,
      code: 'VERIFICATION_MISMATCH',
      reason: 'read-back disagrees: asana: entitlements licence standard left; miro: entitlements licence team left; notion: seats 3 enterprise left',
    });

    saas.keepLicences = false;
    await service.onRetryRequested([retry(request, 2)]);
    expect(outbox.eventsOf(AccessRevokedV1)[0]?.payload.apps.map((a) => a.reclaimedLicences)).toEqual([['standard'], ['team'], ['enterprise (3 seats)']]);
    expect(outbox.topics()).toEqual([AccessFailedV1.topic, AccessRevokedV1.topic]);
  });

  it('fails the step an app refuses, with the app’s reason', async () => {
    const { saas, outbox, service } = setUp();
    const request = leaver();
    saas.refuse = true;
    await service.onRetryRequested([retry(request, 3)]);
    expect(outbox.eventsOf(AccessFailedV1)[0]?.payload).toMatchObject({ attempt: 3, code: 'PROVISIONING_FAILED', reason: 'asana refused the change' });
  });

  it('changes nothing when the apps cannot all be searched (two users for the employee in one app), and says so', async () => {
    const { saas, outbox, service, offboardings } = setUp();
    saas.addUser('asana', 'e1@acme.test', EMPLOYEE, { roles: ['viewer'] });
    const request = leaver();
    await service.onRequested([request]);
    expect(outbox.eventsOf(AccessFailedV1)[0]?.payload).toMatchObject({ code: 'PROVISIONING_FAILED', reason: expect.stringContaining('could not be searched') });
    expect(await held(saas, 'notion')).toEqual(NOTION);
    expect(offboardings.records.get(request.requestId)?.appsBefore).toBeNull();
  });

  it('records what each user held in a transaction of its own before changing anything: a failure half-way still leaves compensation knowing it', async () => {
    const { saas, outbox, service, offboardings } = setUp();
    const request = leaver();
    saas.changesBeforeOutage = 1;
    await expect(service.onRequested([request])).rejects.toThrow('did not answer');
    expect(outbox.sent).toEqual([]);
    expect(await held(saas, 'asana')).toEqual(NO_ACCESS);
    expect(offboardings.records.get(request.requestId)?.appsBefore?.['asana']).toMatchObject(ASANA);

    saas.changesBeforeOutage = Number.POSITIVE_INFINITY;
    await service.compensate([compensation(request)]);
    expect(await held(saas, 'asana')).toEqual(ASANA);
    expect(outbox.eventsOf(AccessCompensatedV1)[0]?.payload).toMatchObject({ step: 'app-access', undone: 'app access of E1 restored: asana as before, miro as before, notion as before' });
  });
});

describe('compensation of the app-access step', () => {
  it('gives every user back exactly what it held, read back', async () => {
    const { saas, outbox, service } = setUp();
    const request = leaver();
    await service.onRequested([request]);
    await service.compensate([compensation(request)]);
    expect(await held(saas, 'asana')).toEqual(ASANA);
    expect(await held(saas, 'notion')).toEqual(NOTION);
    expect(await held(saas, 'miro')).toEqual(MIRO);
    expect(outbox.topics()).toEqual([AccessRevokedV1.topic, AccessCompensatedV1.topic]);
  });

  it('leaves alone an app another journey changed since, naming it', async () => {
    const { saas, outbox, service, appChanges } = setUp();
    const request = leaver();
    await service.onRequested([request]);
    appChanges.touch(ACCOUNT, 'notion', 'journey-b');
    await service.compensate([compensation(request)]);
    expect(await held(saas, 'notion')).toEqual(NO_ACCESS);
    expect(outbox.eventsOf(AccessCompensatedV1)[0]?.payload.undone).toBe('app access of E1 restored: asana as before, miro as before; left alone, changed by another journey since: notion (journey-b)');
  });

  it('confirms nothing the read-back contradicts (or the app refuses): assurance asks again', async () => {
    const { saas, outbox, service } = setUp();
    const request = leaver();
    await service.onRequested([request]);
    saas.keepLicences = true;
    await service.compensate([compensation(request)]);
    saas.keepLicences = false;
    saas.refuse = true;
    await service.compensate([compensation(request)]);
    expect(outbox.topics()).toEqual([AccessRevokedV1.topic]);

    saas.refuse = false;
    await service.compensate([compensation(request)]);
    expect(outbox.topics()).toEqual([AccessRevokedV1.topic, AccessCompensatedV1.topic]);
  });

  it('before the step ran, undoes nothing, and after it takes nothing back for the journey, whatever arrives late', async () => {
    const { saas, outbox, service } = setUp();
    const request = leaver();
    await service.compensate([compensation(request)]);
    expect(outbox.eventsOf(AccessCompensatedV1)[0]?.payload.undone).toBe('nothing to undo: no app access was taken back');

    await service.onRequested([request]);
    await service.onRetryRequested([retry(request, 2)]);
    expect(await held(saas, 'asana')).toEqual(ASANA);
    expect(outbox.topics()).toEqual([AccessCompensatedV1.topic]);
  });
});
