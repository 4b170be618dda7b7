import { AccountCompensatedV1, AccountFailedV1, AccountVerifiedV1, CompensationRequestedV1, DirectoryAccessChangedV1, JourneyRequestedV1, StepRetryRequestedV1 } from '@closeloop/contracts';
import { consumeUntil, sql, waitForGroupToCatchUp } from '@closeloop/testing';
import request from 'supertest';

import { accountOf, compensationOf, first, groupsOf, kafka, meta, newEmployee, newHire, onboard, requested, retryOf, send, subject, useIdentityService } from '../support/identity-journeys';

const identity = useIdentityService();

const accessChange = (employeeId: string, remove: string[], grant: string[]) =>
  requested({ type: 'access-change', requestedBy: 'manager@acme.test', subject: subject(employeeId), remove: { groups: remove, apps: [] }, grant: { groups: grant, apps: [] }, ...meta() });

describe('access change, the directory step', () => {
  it('takes the existing account out of the removed groups and into the granted ones, reads it back, and restores the groups on compensation', async () => {
    const employeeId = newEmployee();
    await onboard(employeeId, ['staff', 'sales']);
    const change = accessChange(employeeId, ['sales'], ['engineering', 'on-call']);
    await send(JourneyRequestedV1.topic, change);

    const changed = await first(DirectoryAccessChangedV1.topic, change.requestId);
    expect(changed.payload).toMatchObject({ accountId: `u-${employeeId}`, employeeId, removedGroups: ['sales'], grantedGroups: ['engineering', 'on-call'], groups: ['engineering', 'on-call', 'staff'] });
    expect(await groupsOf(employeeId)).toEqual(['engineering', 'on-call', 'staff']);

    await send(CompensationRequestedV1.topic, compensationOf(change, 'directory-access'));
    const compensated = await first(AccountCompensatedV1.topic, change.requestId);
    expect(compensated.payload).toMatchObject({ step: 'directory-access', undone: `groups of u-${employeeId} restored: back in sales; out of engineering, on-call` });
    expect(await groupsOf(employeeId)).toEqual(['sales', 'staff']);
    // Not the onboarding compensation: the account existed before and stays enabled.
    const [user] = await sql<{ enabled: boolean }>('SELECT enabled FROM identity.sim_directory_users WHERE employee_id = $1', [employeeId]);
    expect(user?.enabled).toBe(true);
  });

  it('fails for a subject without an account, saying so', async () => {
    const change = accessChange(newEmployee(), ['sales'], ['engineering']);
    await send(JourneyRequestedV1.topic, change);
    const failed = await first(AccountFailedV1.topic, change.requestId);
    expect(failed.payload).toMatchObject({ step: 'directory-access', attempt: 1, code: 'PROVISIONING_FAILED' });
    expect(failed.payload['reason']).toContain(`the directory has no account for employee ${change.payload.subject.employeeId}`);
  });

  it('reports a directory that said yes and changed nothing, and a retry changes only what is missing', async () => {
    const employeeId = newEmployee();
    await onboard(employeeId, ['staff', 'sales']);
    await request(identity.app.getHttpServer()).put('/simulator/faults').set(identity.admin).send({ readBackDisagrees: true, onlyFor: [employeeId] }).expect(200);
    const change = accessChange(employeeId, ['sales'], ['engineering']);
    try {
      await send(JourneyRequestedV1.topic, change);
      const failed = await first(AccountFailedV1.topic, change.requestId);
      expect(failed.payload).toMatchObject({
        step: 'directory-access',
        code: 'VERIFICATION_MISMATCH',
        reason: 'read-back disagrees: still in removed group(s) sales; not in granted group(s) engineering',
      });
    } finally {
      await request(identity.app.getHttpServer()).put('/simulator/faults').set(identity.admin).send({}).expect(200);
    }
    await send(StepRetryRequestedV1.topic, retryOf(change, 'directory-access', 2));
    await first(DirectoryAccessChangedV1.topic, change.requestId);
    expect(await groupsOf(employeeId)).toEqual(['engineering', 'staff']);

    // Compensation restores the groups as they were before the journey.
    await send(CompensationRequestedV1.topic, compensationOf(change, 'directory-access'));
    await first(AccountCompensatedV1.topic, change.requestId);
    expect(await groupsOf(employeeId)).toEqual(['sales', 'staff']);
  });
});

describe('a new hire never adopts an account it did not create', () => {
  it('refuses the account another journey created (ACCOUNT_EXISTS, naming it), and its compensation leaves that account alone', async () => {
    const employeeId = newEmployee();
    const owner = await onboard(employeeId, ['staff', 'sales']);
    const takeover = newHire(employeeId, ['staff', 'prod-admins']);
    await send(JourneyRequestedV1.topic, takeover);
    const failed = await first(AccountFailedV1.topic, takeover.requestId);
    expect(failed.payload).toMatchObject({
      step: 'identity',
      code: 'ACCOUNT_EXISTS',
      reason: `the directory account of employee ${employeeId} (u-${employeeId}) belongs to journey ${owner.requestId}: a journey never takes over an account it did not create; a person must decide what to do with it`,
    });
    expect(await groupsOf(employeeId)).toEqual(['sales', 'staff']);

    // A retry is refused the same way.
    await send(StepRetryRequestedV1.topic, retryOf(takeover, 'identity', 2));
    const again = (await consumeUntil(kafka, AccountFailedV1.topic, (m) => m.message.key?.toString() === takeover.requestId && (m.value as { payload: { attempt: number } }).payload.attempt === 2))[0]?.value as { payload: Record<string, unknown> };
    expect(again.payload).toMatchObject({ code: 'ACCOUNT_EXISTS' });

    await send(CompensationRequestedV1.topic, compensationOf(takeover, 'identity'));
    const compensated = await first(AccountCompensatedV1.topic, takeover.requestId);
    expect(compensated.payload['undone']).toBe(`nothing to undo: the account of employee ${employeeId} was not created by this journey (ACCOUNT_EXISTS), and is left as it is`);
    expect(await accountOf(employeeId)).toEqual({ enabled: true });
    expect(await groupsOf(employeeId)).toEqual(['sales', 'staff']);
  });

  it('refuses an account made outside Closeloop', async () => {
    const employeeId = newEmployee();
    await sql('INSERT INTO identity.sim_directory_users (account_id, employee_id, email, display_name, enabled) VALUES ($1, $2, $3, $4, true)', [`u-${employeeId}`, employeeId, `${employeeId.toLowerCase()}@acme.test`, employeeId]);
    const hire = newHire(employeeId, ['staff']);
    await send(JourneyRequestedV1.topic, hire);
    const failed = await first(AccountFailedV1.topic, hire.requestId);
    expect(failed.payload).toMatchObject({ code: 'ACCOUNT_EXISTS', reason: expect.stringContaining(`the directory already has account u-${employeeId} for employee ${employeeId}, and no Closeloop journey created it`) });
    expect(await groupsOf(employeeId)).toEqual([]);
  });

  it('takes over, for a rehire, the account a compensated journey left disabled; undoing the rehire disables it again', async () => {
    const employeeId = newEmployee();
    const first_ = await onboard(employeeId, ['staff']);
    await send(CompensationRequestedV1.topic, compensationOf(first_, 'identity'));
    await first(AccountCompensatedV1.topic, first_.requestId);
    expect(await accountOf(employeeId)).toEqual({ enabled: false });

    const rehire = await onboard(employeeId, ['staff', 'support']);
    expect(await accountOf(employeeId)).toEqual({ enabled: true });
    expect(await groupsOf(employeeId)).toEqual(['staff', 'support']);
    await send(CompensationRequestedV1.topic, compensationOf(rehire, 'identity'));
    const undone = await first(AccountCompensatedV1.topic, rehire.requestId);
    expect(undone.payload['undone']).toBe(`account u-${employeeId} disabled and removed from every group`);
    expect(await accountOf(employeeId)).toEqual({ enabled: false });
  });
});

describe('access change compensation undoes only its own change', () => {
  it('never re-grants a privileged group another journey removed since, nor takes away a group another journey granted since', async () => {
    const employeeId = newEmployee();
    await onboard(employeeId, ['staff', 'sales', 'prod-admins']);
    const move = accessChange(employeeId, ['sales', 'prod-admins'], ['engineering', 'on-call']);
    await send(JourneyRequestedV1.topic, move);
    await first(DirectoryAccessChangedV1.topic, move.requestId);
    expect(await groupsOf(employeeId)).toEqual(['engineering', 'on-call', 'staff']);

    // Meanwhile security takes production access away for good, and on-call is granted again by a rota change.
    const revoke = accessChange(employeeId, ['prod-admins'], []);
    const rota = accessChange(employeeId, [], ['on-call']);
    for (const later of [revoke, rota]) {
      await send(JourneyRequestedV1.topic, later);
      await first(DirectoryAccessChangedV1.topic, later.requestId);
    }

    await send(CompensationRequestedV1.topic, compensationOf(move, 'directory-access'));
    const compensated = await first(AccountCompensatedV1.topic, move.requestId);
    expect(compensated.payload['undone']).toBe(
      `groups of u-${employeeId} restored: back in sales; out of engineering; left alone, changed by another journey since: prod-admins (${revoke.requestId}), on-call (${rota.requestId})`,
    );
    expect(await groupsOf(employeeId)).toEqual(['on-call', 'sales', 'staff']);
  });
});

describe('SaaS licensing, the account check', () => {
  const licensing = (employeeId: string) =>
    requested({ type: 'saas-licensing', requestedBy: 'manager@acme.test', subject: subject(employeeId), app: 'figma', licenceType: 'professional', seats: 1, ...meta() });

  it('verifies an existing, enabled account with its groups, and has nothing to undo', async () => {
    const employeeId = newEmployee();
    await onboard(employeeId, ['staff']);
    const event = licensing(employeeId);
    await send(JourneyRequestedV1.topic, event);
    const verified = await first(AccountVerifiedV1.topic, event.requestId);
    expect(verified).toMatchObject({ journeyType: 'saas-licensing', payload: { accountId: `u-${employeeId}`, employeeId, enabled: true, groups: ['staff'] } });

    await send(CompensationRequestedV1.topic, compensationOf(event, 'account-check'));
    const compensated = await first(AccountCompensatedV1.topic, event.requestId);
    expect(compensated.payload).toMatchObject({ step: 'account-check', undone: 'nothing to undo: the account check only read the directory' });
    const [user] = await sql<{ enabled: boolean }>('SELECT enabled FROM identity.sim_directory_users WHERE employee_id = $1', [employeeId]);
    expect(user?.enabled).toBe(true);
  });

  it('fails for a subject without an account', async () => {
    const event = licensing(newEmployee());
    await send(JourneyRequestedV1.topic, event);
    const failed = await first(AccountFailedV1.topic, event.requestId);
    expect(failed.payload).toMatchObject({ step: 'account-check', code: 'PROVISIONING_FAILED' });
  });
});

it('leaves a device replacement alone: identity has no step in it', async () => {
  const event = requested({
    type: 'device-replacement',
    requestedBy: 'manager@acme.test',
    subject: subject(newEmployee()),
    itsmRecordId: 'RITM0000001',
    retiredAssetTag: 'AT-1',
    reason: 'broken',
    device: { model: 'laptop-14' },
    ...meta(),
  });
  await send(JourneyRequestedV1.topic, event);
  const admin = kafka.admin();
  await admin.connect();
  try {
    await waitForGroupToCatchUp(admin, 'closeloop.identity-domain', [JourneyRequestedV1.topic]);
  } finally {
    await admin.disconnect();
  }
  expect(await sql('SELECT 1 FROM identity.accounts WHERE request_id = $1 UNION ALL SELECT 1 FROM identity.account_steps WHERE request_id = $1', [event.requestId])).toEqual([]);
  expect(await sql('SELECT 1 FROM identity.inbox_messages WHERE event_id = $1', [event.eventId])).toEqual([]);
});
