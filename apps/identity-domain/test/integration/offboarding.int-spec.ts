import { AccountCompensatedV1, AccountDisabledV1, AccountFailedV1, CompensationRequestedV1, DirectoryAccessChangedV1, JourneyRequestedV1, StepRetryRequestedV1 } from '@closeloop/contracts';
import { consumeUntil, sql } from '@closeloop/testing';
import request from 'supertest';

import { accountOf, compensationOf, first, groupsOf, kafka, meta, newEmployee, onboard, requested, retryOf, send, subject, useIdentityService } from '../support/identity-journeys';

/** The account step of an offboarding, in-process on Kafka and PostgreSQL, against the simulated directory; the requests, retries and compensations are published by the test. */
const identity = useIdentityService();

const offboarding = (employeeId: string) =>
  requested({ type: 'offboarding', requestedBy: 'hr@acme.test', subject: subject(employeeId), lastDay: '2026-01-31', itsmRecordId: 'RITM0020001', ...meta() });

/** The account's sessions in the simulated directory, oldest first. */
const sessionsOf = async (employeeId: string) =>
  sql<{ session_id: string; revoked_at: Date | null }>(
    'SELECT s.session_id, s.revoked_at FROM identity.sim_directory_sessions s JOIN identity.sim_directory_users u USING (account_id) WHERE u.employee_id = $1 ORDER BY s.started_at, s.session_id',
    [employeeId],
  );
const accessChange = (employeeId: string, remove: string[], grant: string[]) =>
  requested({ type: 'access-change', requestedBy: 'security@acme.test', subject: subject(employeeId), remove: { groups: remove, apps: [] }, grant: { groups: grant, apps: [] }, ...meta() });
const activeSessionsOf = async (employeeId: string) => (await sessionsOf(employeeId)).filter((s) => s.revoked_at === null).length;

describe('offboarding, the account step', () => {
  it("disables the leaver's account, ends its sessions and removes its groups, as the directory reads back; a cancelled offboarding gives back the account and its groups, not its sessions", async () => {
    const employeeId = newEmployee();
    await onboard(employeeId, ['staff', 'sales']);
    expect(await activeSessionsOf(employeeId)).toBe(1);

    const leaver = offboarding(employeeId);
    await send(JourneyRequestedV1.topic, leaver);
    const disabled = await first(AccountDisabledV1.topic, leaver.requestId);
    expect(disabled.payload).toMatchObject({
      accountId: `u-${employeeId}`,
      employeeId,
      enabled: false,
      groups: [],
      removedGroups: ['sales', 'staff'],
      sessionsRevoked: 1,
      activeSessions: 0,
    });
    // The evidence is what the directory holds.
    expect(await accountOf(employeeId)).toEqual({ enabled: disabled.payload['enabled'] });
    expect(await groupsOf(employeeId)).toEqual(disabled.payload['groups']);
    expect(await activeSessionsOf(employeeId)).toBe(disabled.payload['activeSessions']);

    await send(CompensationRequestedV1.topic, compensationOf(leaver, 'account'));
    const compensated = await first(AccountCompensatedV1.topic, leaver.requestId);
    expect(compensated.payload).toMatchObject({ step: 'account', undone: `account u-${employeeId} enabled again; back in group(s) sales, staff; sessions are not given back` });
    expect(await accountOf(employeeId)).toEqual({ enabled: true });
    expect(await groupsOf(employeeId)).toEqual(['sales', 'staff']);
    expect(await activeSessionsOf(employeeId)).toBe(0);
  });

  it('answers a retry of a verified step with the same report (same event id), changing nothing', async () => {
    const employeeId = newEmployee();
    await onboard(employeeId, ['staff']);
    const leaver = offboarding(employeeId);
    await send(JourneyRequestedV1.topic, leaver);
    const verified = await first(AccountDisabledV1.topic, leaver.requestId);
    const before = { account: await accountOf(employeeId), groups: await groupsOf(employeeId), sessions: await sessionsOf(employeeId) };

    // The deadline passed while the report was on its way: assurance asks again.
    await send(StepRetryRequestedV1.topic, retryOf(leaver, 'account', 2));
    const reports = await consumeUntil(kafka, AccountDisabledV1.topic, (m) => m.message.key?.toString() === leaver.requestId, { count: 2 });
    expect(reports.map((r) => (r.value as { eventId: string }).eventId)).toEqual([verified.eventId, verified.eventId]);
    expect({ account: await accountOf(employeeId), groups: await groupsOf(employeeId), sessions: await sessionsOf(employeeId) }).toEqual(before);
  });

  it('reports a directory that said yes and disabled nothing, and a retry finishes the job', async () => {
    const employeeId = newEmployee();
    await onboard(employeeId, ['staff']);
    const leaver = offboarding(employeeId);
    await request(identity.app.getHttpServer()).put('/simulator/faults').set(identity.admin).send({ readBackDisagrees: true, onlyFor: [employeeId] }).expect(200);
    try {
      await send(JourneyRequestedV1.topic, leaver);
      const failed = await first(AccountFailedV1.topic, leaver.requestId);
      expect(failed.payload).toMatchObject({ step: 'account', code: 'VERIFICATION_MISMATCH', reason: 'read-back disagrees: the account is still enabled; still in group(s) staff; 1 session(s) still active' });
    } finally {
      await request(identity.app.getHttpServer()).put('/simulator/faults').set(identity.admin).send({}).expect(200);
    }
    await send(StepRetryRequestedV1.topic, retryOf(leaver, 'account', 2));
    const disabled = await first(AccountDisabledV1.topic, leaver.requestId);
    expect(disabled.payload).toMatchObject({ enabled: false, groups: [], removedGroups: ['staff'], sessionsRevoked: 1, activeSessions: 0 });
    expect(await accountOf(employeeId)).toEqual({ enabled: false });
  });

  it('fails for an employee the directory has no account for, saying so, and has nothing to undo', async () => {
    const employeeId = newEmployee();
    const leaver = offboarding(employeeId);
    await send(JourneyRequestedV1.topic, leaver);
    const failed = await first(AccountFailedV1.topic, leaver.requestId);
    expect(failed.payload).toMatchObject({ step: 'account', attempt: 1, code: 'PROVISIONING_FAILED' });
    expect(failed.payload['reason']).toContain(`the directory has no account for employee ${employeeId}: nothing was disabled`);

    await send(CompensationRequestedV1.topic, compensationOf(leaver, 'account'));
    const compensated = await first(AccountCompensatedV1.topic, leaver.requestId);
    expect(compensated.payload['undone']).toBe('nothing to undo: this offboarding disabled no account (it found none, or had not started)');
    expect(await accountOf(employeeId)).toBeUndefined();
  });
});

describe('an offboarding and the access changes around it undo only what each did', () => {
  it('an access change undone after the offboarding gives the leaver nothing back', async () => {
    const employeeId = newEmployee();
    await onboard(employeeId, ['staff', 'sales']);
    const move = accessChange(employeeId, ['sales'], ['engineering']);
    await send(JourneyRequestedV1.topic, move);
    await first(DirectoryAccessChangedV1.topic, move.requestId);
    const leaver = offboarding(employeeId);
    await send(JourneyRequestedV1.topic, leaver);
    await first(AccountDisabledV1.topic, leaver.requestId);

    await send(CompensationRequestedV1.topic, compensationOf(move, 'directory-access'));
    const compensated = await first(AccountCompensatedV1.topic, move.requestId);
    expect(compensated.payload['undone']).toBe(
      `groups of u-${employeeId} restored: back in none; out of none; left alone, changed by another journey since: sales (${leaver.requestId}), engineering (${leaver.requestId})`,
    );
    expect(await accountOf(employeeId)).toEqual({ enabled: false });
    expect(await groupsOf(employeeId)).toEqual([]);
  });

  it('a cancelled offboarding gives back no group another journey changed since, nor enables an account another offboarding disabled since', async () => {
    const employeeId = newEmployee();
    await onboard(employeeId, ['staff', 'prod-admins']);
    const leaver = offboarding(employeeId);
    await send(JourneyRequestedV1.topic, leaver);
    await first(AccountDisabledV1.topic, leaver.requestId);
    // Security takes production access away for good (the account is disabled, so the change is reported failed), and the leaver is offboarded again.
    const revoke = accessChange(employeeId, ['prod-admins'], []);
    await send(JourneyRequestedV1.topic, revoke);
    await first(AccountFailedV1.topic, revoke.requestId);
    const again = offboarding(employeeId);
    await send(JourneyRequestedV1.topic, again);
    expect((await first(AccountDisabledV1.topic, again.requestId)).payload).toMatchObject({ removedGroups: [], sessionsRevoked: 0 });

    await send(CompensationRequestedV1.topic, compensationOf(leaver, 'account'));
    const compensated = await first(AccountCompensatedV1.topic, leaver.requestId);
    expect(compensated.payload['undone']).toBe(
      `account u-${employeeId} left disabled, offboarded by another journey since: ${again.requestId}; back in group(s) none; left alone, changed by another journey since: prod-admins (${revoke.requestId}, ${again.requestId}), staff (${again.requestId}); sessions are not given back`,
    );
    expect(await accountOf(employeeId)).toEqual({ enabled: false });
    expect(await groupsOf(employeeId)).toEqual([]);
  });
});
