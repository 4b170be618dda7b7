import { z } from 'zod';

import { defineEvent, type EventOf } from '../envelope';

/**
 * A person's decision point on a journey: `pre-approval` before anything runs, `exception` when
 * a step failed under approval-on-exception, `attestation` after a low-risk journey ran.
 */
export const ApprovalKindSchema = z.enum(['pre-approval', 'exception', 'attestation']);
export type ApprovalKind = z.infer<typeof ApprovalKindSchema>;

const task = {
  taskId: z.uuid(),
  kind: ApprovalKindSchema,
  assigneeGroup: z.string().min(1),
  dueAt: z.iso.datetime({ offset: true }),
  policyVersion: z.number().int().positive(),
  rule: z.string().min(1),
};

/** A task was opened for the approver group. */
export const ApprovalRequestedV1 = defineEvent('intake.approval.requested.v1', z.object({ ...task, step: z.string().min(1).optional() }));
export type ApprovalRequestedV1 = EventOf<typeof ApprovalRequestedV1>;

/** The task's deadline is near: the assignees are reminded. */
export const ApprovalReminderV1 = defineEvent('intake.approval.reminder.v1', z.object(task));
export type ApprovalReminderV1 = EventOf<typeof ApprovalReminderV1>;

/** Nobody decided before the deadline: the task moved to the fallback group, with a new deadline. */
export const ApprovalEscalatedV1 = defineEvent(
  'intake.approval.escalated.v1',
  z.object({ ...task, fromGroup: z.string().min(1) }),
);
export type ApprovalEscalatedV1 = EventOf<typeof ApprovalEscalatedV1>;

/**
 * A decision: by a person (a human touchpoint), or `expired` by the system when even the
 * fallback group let the deadline pass (treated as a rejection).
 */
export const ApprovalDecidedV1 = defineEvent(
  'intake.approval.decided.v1',
  z.object({
    taskId: z.uuid(),
    kind: ApprovalKindSchema,
    decision: z.enum(['approved', 'rejected', 'expired']),
    decidedBy: z.string().min(1),
    comment: z.string().min(1).max(2000),
    step: z.string().min(1).optional(),
    /** Exception tasks: the attempts of the escalation decided (a later escalation of the step has its own task). */
    attempts: z.number().int().positive().optional(),
    policyVersion: z.number().int().positive(),
    rule: z.string().min(1),
    decidedAt: z.iso.datetime({ offset: true }),
  }),
);
export type ApprovalDecidedV1 = EventOf<typeof ApprovalDecidedV1>;
