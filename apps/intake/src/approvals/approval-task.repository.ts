import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

import type { ApprovalTask } from './approvals.domain';

const COLUMNS = `task_id, request_id, kind, status, step, assignee_group, fallback_group, escalated, reminded, due_at, remind_at,
  deadline_ms, reminder_before_ms, policy_version, rule, context, decided_by, comment, decided_at, created_at`;

const toTask = (r: Record<string, unknown>): ApprovalTask => ({
  taskId: r['task_id'] as string,
  requestId: r['request_id'] as string,
  kind: r['kind'] as ApprovalTask['kind'],
  status: r['status'] as ApprovalTask['status'],
  step: (r['step'] as string | null) ?? null,
  assigneeGroup: r['assignee_group'] as string,
  fallbackGroup: r['fallback_group'] as string,
  escalated: r['escalated'] as boolean,
  reminded: r['reminded'] as boolean,
  dueAt: new Date(r['due_at'] as string),
  remindAt: new Date(r['remind_at'] as string),
  deadlineMs: Number(r['deadline_ms']),
  reminderBeforeMs: Number(r['reminder_before_ms']),
  policyVersion: Number(r['policy_version']),
  rule: r['rule'] as string,
  context: r['context'] as Record<string, unknown>,
  decidedBy: (r['decided_by'] as string | null) ?? null,
  comment: (r['comment'] as string | null) ?? null,
  decidedAt: r['decided_at'] ? new Date(r['decided_at'] as string) : null,
  createdAt: new Date(r['created_at'] as string),
});

const values = (t: ApprovalTask) => [
  t.taskId,
  t.requestId,
  t.kind,
  t.status,
  t.step,
  t.assigneeGroup,
  t.fallbackGroup,
  t.escalated,
  t.reminded,
  t.dueAt.toISOString(),
  t.remindAt.toISOString(),
  t.deadlineMs,
  t.reminderBeforeMs,
  t.policyVersion,
  t.rule,
  JSON.stringify(t.context),
  t.decidedBy,
  t.comment,
  t.decidedAt?.toISOString() ?? null,
  t.createdAt.toISOString(),
];

@Injectable()
export class ApprovalTaskRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Inserts a task; false when the journey already has an open task of that kind (a redelivered event). */
  async insert(manager: EntityManager, task: ApprovalTask): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO intake.approval_tasks (${COLUMNS}) VALUES (${values(task).map((_, i) => `$${i + 1}`).join(', ')})
       ON CONFLICT (request_id, kind, (coalesce(step, ''))) WHERE status = 'open' DO NOTHING RETURNING task_id`,
      values(task),
    );
    return rows.length > 0;
  }

  async save(manager: EntityManager, task: ApprovalTask): Promise<void> {
    await manager.query(
      `UPDATE intake.approval_tasks SET status = $2, assignee_group = $3, escalated = $4, reminded = $5, due_at = $6, remind_at = $7,
         decided_by = $8, comment = $9, decided_at = $10 WHERE task_id = $1`,
      [task.taskId, task.status, task.assigneeGroup, task.escalated, task.reminded, task.dueAt.toISOString(), task.remindAt.toISOString(), task.decidedBy, task.comment, task.decidedAt?.toISOString() ?? null],
    );
  }

  /** The journey a task belongs to, read without a lock (callers lock the journey first, then the task). */
  async journeyOf(taskId: string): Promise<string | null> {
    const [row] = await this.dataSource.query('SELECT request_id FROM intake.approval_tasks WHERE task_id = $1', [taskId]);
    return row ? (row.request_id as string) : null;
  }

  async findForUpdate(manager: EntityManager, taskId: string): Promise<ApprovalTask | null> {
    const [row] = await manager.query(`SELECT ${COLUMNS} FROM intake.approval_tasks WHERE task_id = $1 FOR UPDATE`, [taskId]);
    return row ? toTask(row) : null;
  }

  async openForJourney(manager: EntityManager, requestId: string): Promise<ApprovalTask[]> {
    const rows: Record<string, unknown>[] = await manager.query(`SELECT ${COLUMNS} FROM intake.approval_tasks WHERE request_id = $1 AND status = 'open' FOR UPDATE`, [requestId]);
    return rows.map(toTask);
  }

  /** Open tasks of the given groups, oldest first. */
  async openForGroups(groups: readonly string[], limit: number): Promise<ApprovalTask[]> {
    if (groups.length === 0) return [];
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM intake.approval_tasks WHERE status = 'open' AND assignee_group = ANY($1) ORDER BY created_at LIMIT $2`,
      [[...groups], limit],
    );
    return rows.map(toTask);
  }

  async forJourney(requestId: string, limit: number): Promise<ApprovalTask[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM intake.approval_tasks WHERE request_id = $1 ORDER BY created_at LIMIT $2`, [requestId, limit]);
    return rows.map(toTask);
  }

  /**
   * Open tasks due a reminder or past their deadline, of journeys no other transaction holds.
   * The journeys are locked first, then their tasks: the order every writer of tasks keeps
   * (approve, cancel, verdicts), so the scanner never deadlocks with them.
   */
  async lockDue(manager: EntityManager, now: Date, limit: number): Promise<ApprovalTask[]> {
    const due = "status = 'open' AND (CASE WHEN reminded THEN due_at ELSE least(remind_at, due_at) END) <= $1";
    const journeys: Array<{ request_id: string }> = await manager.query(
      `SELECT request_id FROM intake.journeys
       WHERE request_id IN (SELECT request_id FROM intake.approval_tasks WHERE ${due} ORDER BY (CASE WHEN reminded THEN due_at ELSE least(remind_at, due_at) END) LIMIT $2)
       ORDER BY request_id FOR UPDATE SKIP LOCKED`,
      [now.toISOString(), limit],
    );
    if (journeys.length === 0) return [];
    const rows: Record<string, unknown>[] = await manager.query(
      `SELECT ${COLUMNS} FROM intake.approval_tasks WHERE request_id = ANY($2) AND ${due} ORDER BY task_id FOR UPDATE`,
      [now.toISOString(), journeys.map((j) => j.request_id)],
    );
    return rows.map(toTask);
  }
}
