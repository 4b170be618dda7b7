import type { ApprovalKind } from '@closeloop/contracts';

import type { Approvers } from '../policy/policy';

export type TaskStatus = 'open' | 'approved' | 'rejected' | 'expired' | 'cancelled';

/** A decision a group of people owes on a journey, with its deadline, reminder and fallback. */
export interface ApprovalTask {
  readonly taskId: string;
  readonly requestId: string;
  readonly kind: ApprovalKind;
  readonly status: TaskStatus;
  readonly step: string | null;
  readonly assigneeGroup: string;
  readonly fallbackGroup: string;
  readonly escalated: boolean;
  readonly reminded: boolean;
  readonly dueAt: Date;
  readonly remindAt: Date;
  readonly deadlineMs: number;
  readonly reminderBeforeMs: number;
  readonly policyVersion: number;
  readonly rule: string;
  /** What the person needs to decide: the request, the escalation history, or the verified outcome. */
  readonly context: Record<string, unknown>;
  readonly decidedBy: string | null;
  readonly comment: string | null;
  readonly decidedAt: Date | null;
  readonly createdAt: Date;
}

export interface NewTask {
  readonly taskId: string;
  readonly requestId: string;
  readonly kind: ApprovalKind;
  readonly step?: string | null;
  readonly approvers: Approvers;
  readonly policyVersion: number;
  readonly rule: string;
  readonly context: Record<string, unknown>;
  readonly now: Date;
}

const at = (now: Date, ms: number) => new Date(now.getTime() + ms);

export const openTask = (input: NewTask): ApprovalTask => ({
  taskId: input.taskId,
  requestId: input.requestId,
  kind: input.kind,
  status: 'open',
  step: input.step ?? null,
  assigneeGroup: input.approvers.group,
  fallbackGroup: input.approvers.fallbackGroup,
  escalated: false,
  reminded: false,
  dueAt: at(input.now, input.approvers.deadlineMs),
  remindAt: at(input.now, input.approvers.deadlineMs - input.approvers.reminderBeforeMs),
  deadlineMs: input.approvers.deadlineMs,
  reminderBeforeMs: input.approvers.reminderBeforeMs,
  policyVersion: input.policyVersion,
  rule: input.rule,
  context: input.context,
  decidedBy: null,
  comment: null,
  decidedAt: null,
  createdAt: input.now,
});

/** What the deadline scanner does with an open task at `now`. */
export type Due =
  | { readonly kind: 'remind'; readonly task: ApprovalTask }
  | { readonly kind: 'escalate'; readonly task: ApprovalTask; readonly fromGroup: string }
  | { readonly kind: 'expire'; readonly task: ApprovalTask }
  | { readonly kind: 'none' };

/**
 * Past the deadline the task moves, once, to the fallback group with a fresh deadline; past the
 * fallback's deadline it expires, which counts as a rejection (nobody took responsibility).
 * Before the deadline, one reminder goes out `reminderBeforeMs` ahead of it.
 */
export const whatIsDue = (task: ApprovalTask, now: Date): Due => {
  if (task.status !== 'open') return { kind: 'none' };
  if (task.dueAt.getTime() <= now.getTime()) {
    if (task.escalated) return { kind: 'expire', task: { ...task, status: 'expired', decidedBy: 'intake', comment: `no decision by ${task.assigneeGroup} before ${task.dueAt.toISOString()}`, decidedAt: now } };
    const dueAt = at(now, task.deadlineMs);
    return {
      kind: 'escalate',
      fromGroup: task.assigneeGroup,
      task: { ...task, assigneeGroup: task.fallbackGroup, escalated: true, reminded: false, dueAt, remindAt: at(now, task.deadlineMs - task.reminderBeforeMs) },
    };
  }
  if (!task.reminded && task.remindAt.getTime() <= now.getTime()) return { kind: 'remind', task: { ...task, reminded: true } };
  return { kind: 'none' };
};

export type DecisionRefusal = 'NOT_OPEN' | 'NOT_ASSIGNEE';

/** A person decides an open task assigned to one of their groups. */
export const decideTask = (
  task: ApprovalTask,
  decider: { id: string; groups: readonly string[] },
  approved: boolean,
  comment: string,
  now: Date,
): ApprovalTask | DecisionRefusal => {
  if (task.status !== 'open') return 'NOT_OPEN';
  if (!decider.groups.includes(task.assigneeGroup)) return 'NOT_ASSIGNEE';
  return { ...task, status: approved ? 'approved' : 'rejected', decidedBy: decider.id, comment, decidedAt: now };
};
