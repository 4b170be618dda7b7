import { decideTask, openTask, whatIsDue } from './approvals.domain';

const now = new Date('2026-05-01T09:00:00.000Z');
const plus = (ms: number) => new Date(now.getTime() + ms);
const task = openTask({
  taskId: '1b2c3d4e-5f60-4718-8a9b-0c1d2e3f4a5b',
  requestId: '2b2c3d4e-5f60-4718-8a9b-0c1d2e3f4a5b',
  kind: 'pre-approval',
  approvers: { group: 'iam-approvers', fallbackGroup: 'security-leads', deadlineMs: 10000, reminderBeforeMs: 4000 },
  policyVersion: 3,
  rule: 'privileged-groups',
  context: {},
  now,
});

describe('approval task deadlines', () => {
  it('is due nothing before its reminder', () => {
    expect(whatIsDue(task, plus(5999)).kind).toBe('none');
  });

  it('reminds once, reminderBeforeMs before the deadline', () => {
    const due = whatIsDue(task, plus(6000));
    expect(due.kind).toBe('remind');
    expect(due.kind === 'remind' && whatIsDue(due.task, plus(7000)).kind).toBe('none');
  });

  it('after the deadline moves to the fallback group with a fresh deadline and reminder', () => {
    const due = whatIsDue(task, plus(10000));
    expect(due).toMatchObject({ kind: 'escalate', fromGroup: 'iam-approvers', task: { assigneeGroup: 'security-leads', escalated: true, reminded: false } });
    expect(due.kind === 'escalate' && due.task.dueAt).toEqual(plus(20000));
    expect(due.kind === 'escalate' && due.task.remindAt).toEqual(plus(16000));
  });

  it('expires when the fallback group lets its deadline pass too', () => {
    const escalated = whatIsDue(task, plus(10000));
    if (escalated.kind !== 'escalate') throw new Error('expected an escalation');
    const expired = whatIsDue(escalated.task, plus(20000));
    expect(expired).toMatchObject({ kind: 'expire', task: { status: 'expired', decidedBy: 'intake' } });
  });
});

describe('deciding a task', () => {
  it('only someone in the assignee group decides', () => {
    expect(decideTask(task, { id: 'a1', groups: ['other'] }, true, 'ok', now)).toBe('NOT_ASSIGNEE');
    expect(decideTask(task, { id: 'a1', groups: ['iam-approvers'] }, true, 'ok', now)).toMatchObject({ status: 'approved', decidedBy: 'a1', comment: 'ok' });
  });

  it('a decided task cannot be decided again', () => {
    const rejected = decideTask(task, { id: 'a1', groups: ['iam-approvers'] }, false, 'no', now);
    if (typeof rejected === 'string') throw new Error(rejected);
    expect(decideTask(rejected, { id: 'a2', groups: ['iam-approvers'] }, true, 'ok', now)).toBe('NOT_OPEN');
  });
});
