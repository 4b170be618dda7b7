import {
  ApprovalDecidedV1,
  ApprovalEscalatedV1,
  type ApprovalKind,
  ApprovalReminderV1,
  ApprovalRequestedV1,
  buildEvent,
  definitionDocument,
  type JourneyEscalatedV1,
  JourneyRequestedV1,
  type PolicyDecision,
} from '@closeloop/contracts';
import { Outbox, outgoing, type OutgoingEvent } from '@closeloop/messaging';
import { createLogger } from '@closeloop/observability';
import { CLOCK, type Clock, ID_GENERATOR, type IdGenerator } from '@closeloop/runtime';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

import type { Principal } from '../auth';
import { DefinitionStore } from '../definitions/definition.store';
import { JourneyRepository } from '../journeys/journey.repository';
import { applyPreApproval, type AssuranceVerdict, type Journey, PRODUCER, requestedEvent } from '../journeys/journeys.domain';
import { type Approvers,approversOf } from '../policy/policy';
import { PolicyStore } from '../policy/policy.store';
import { ApprovalTaskRepository } from './approval-task.repository';
import { type ApprovalTask, decideTask, openTask, whatIsDue } from './approvals.domain';

export type ApprovalErrorCode = 'TASK_NOT_FOUND' | 'NOT_OPEN' | 'NOT_ASSIGNEE' | 'OWN_REQUEST';
export class ApprovalError extends Error {
  constructor(
    readonly code: ApprovalErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The attempts of the escalation an exception task was opened for. */
const escalationAttempts = (task: ApprovalTask): number | undefined => {
  const attempts = (task.context['escalation'] as { attempts?: unknown } | undefined)?.attempts;
  return typeof attempts === 'number' ? attempts : undefined;
};

/** Scan page size: a full page is followed at once by the next. */
export const SCAN_PAGE = 100;

@Injectable()
export class ApprovalsService {
  private readonly logger = createLogger(ApprovalsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly definitions: DefinitionStore,
    private readonly tasks: ApprovalTaskRepository,
    private readonly journeys: JourneyRepository,
    private readonly policies: PolicyStore,
    private readonly outbox: Outbox,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
  ) {}

  /** Pre-action approval: the task that must be approved before the journey's event goes out. */
  async openPreApproval(manager: EntityManager, journey: Journey, decision: PolicyDecision, approvers: Approvers, now: Date): Promise<void> {
    await this.open(manager, journey, 'pre-approval', null, approvers, decision, { request: journey.request }, now);
  }

  /**
   * Approval on exception and post-action attestation: assurance's verdicts open tasks for the
   * journeys whose policy decision asks for them (in the verdicts' transaction).
   */
  async onVerdicts(manager: EntityManager, journeys: ReadonlyMap<string, Journey>, verdicts: readonly AssuranceVerdict[], now: Date): Promise<void> {
    for (const verdict of verdicts) {
      const journey = journeys.get(verdict.requestId);
      const decision = journey?.policy;
      if (!journey || !decision) continue;
      if (verdict.eventType !== 'assurance.journey.escalated') {
        // The journey moved on (an operator fixed it, or it ended): nobody needs to decide its exception any more.
        await this.closeOpen(manager, verdict.requestId, 'exception', now, `journey ${verdict.eventType.replace('assurance.', '')} meanwhile`);
      }
      // Verdicts come on several topics: act on one only while the journey is still where it says.
      if (verdict.eventType === 'assurance.journey.escalated' && decision.control === 'exception-approval' && journey.status === 'escalated') {
        const escalated = verdict as JourneyEscalatedV1;
        // A stuck compensation is for operators: there is nothing left to approve.
        if (escalated.payload.step.startsWith('compensate:')) continue;
        const approvers = approversOf(await this.policies.version(decision.policyVersion), decision.rule);
        // A step that escalates again (after an operator's retry) gets a fresh task; the old one is superseded.
        await this.closeOpen(manager, verdict.requestId, 'exception', now, `superseded by the escalation after ${escalated.payload.attempts} attempts`, escalated.payload.step);
        if (approvers) await this.open(manager, journey, 'exception', escalated.payload.step, approvers, decision, { escalation: escalated.payload }, now);
      } else if (verdict.eventType === 'assurance.outcome.confirmed' && decision.control === 'post-attestation' && journey.status === 'confirmed') {
        const approvers = approversOf(await this.policies.version(decision.policyVersion), decision.rule);
        if (approvers) await this.open(manager, journey, 'attestation', null, approvers, decision, { request: journey.request, outcome: verdict.payload }, now);
      }
    }
  }

  /** The open tasks of the caller's groups. */
  mine(principal: Principal, limit = 100): Promise<ApprovalTask[]> {
    return this.tasks.openForGroups(principal.groups, limit);
  }

  forJourney(requestId: string, limit: number): Promise<ApprovalTask[]> {
    return this.tasks.forJourney(requestId, limit);
  }

  /**
   * A person approves or rejects. Separation of duties: never on one's own request. A
   * pre-approval starts the journey (or rejects it); the other kinds reach assurance as events.
   */
  async decide(taskId: string, principal: Principal, approved: boolean, comment: string): Promise<ApprovalTask> {
    const requestId = await this.tasks.journeyOf(taskId);
    if (!requestId) throw new ApprovalError('TASK_NOT_FOUND', `no approval task ${taskId}`);
    return this.dataSource.transaction(async (manager) => {
      // The journey first, then the task: the lock order of every writer of tasks.
      const [journey] = await this.journeys.findManyForUpdate(manager, [requestId]);
      const task = await this.tasks.findForUpdate(manager, taskId);
      if (!journey || !task) throw new ApprovalError('TASK_NOT_FOUND', `no approval task ${taskId}`);
      // Separation of duties: nobody decides on a request they made, nor on their own access.
      if (principal.id === journey.requestedBy) {
        throw new ApprovalError('OWN_REQUEST', `separation of duties: ${principal.id} requested this and cannot approve or reject it; another approver must decide`);
      }
      const { subject } = journey.request;
      if ([subject.email.toLowerCase(), subject.employeeId.toLowerCase()].includes(principal.id.toLowerCase())) {
        throw new ApprovalError('OWN_REQUEST', `separation of duties: ${principal.id} is the subject of this request and cannot approve or reject it; another approver must decide`);
      }
      // Nor on what an upstream system asked for with an API key they issued to it.
      const via = journey.requestedVia;
      if (via && via.createdBy.toLowerCase() === principal.id.toLowerCase()) {
        throw new ApprovalError('OWN_REQUEST', `separation of duties: ${principal.id} created the API key ${via.apiKeyName} that requested this and cannot approve or reject it; another approver must decide`);
      }
      const now = this.clock.now();
      const decided = decideTask(task, principal, approved, comment, now);
      if (decided === 'NOT_OPEN') throw new ApprovalError('NOT_OPEN', `approval task ${taskId} is ${task.status}${task.decidedBy ? ` (by ${task.decidedBy})` : ''}`);
      if (decided === 'NOT_ASSIGNEE') {
        throw new ApprovalError('NOT_ASSIGNEE', `approval task ${taskId} is assigned to group ${task.assigneeGroup}, and ${principal.id} is not in it`);
      }
      await this.conclude(manager, journey, decided, now);
      this.logger.info({ requestId: task.requestId, taskId, kind: task.kind, decision: decided.status }, 'approval decided');
      return decided;
    });
  }

  /** A cancelled journey closes its open tasks (nothing left to decide). */
  async cancelOpen(manager: EntityManager, requestId: string, now: Date, by: string): Promise<void> {
    for (const task of await this.tasks.openForJourney(manager, requestId)) {
      await this.tasks.save(manager, { ...task, status: 'cancelled', decidedBy: by, comment: 'journey cancelled', decidedAt: now });
    }
  }

  private async closeOpen(manager: EntityManager, requestId: string, kind: ApprovalKind, now: Date, why: string, step?: string): Promise<void> {
    for (const task of await this.tasks.openForJourney(manager, requestId)) {
      if (task.kind === kind && (step === undefined || task.step === step)) await this.tasks.save(manager, { ...task, status: 'cancelled', decidedBy: 'intake', comment: why, decidedAt: now });
    }
  }

  /** Reminders, escalations to the fallback group, expiries. Safe with several instances (SKIP LOCKED). */
  async scan(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const now = this.clock.now();
      const due = await this.tasks.lockDue(manager, now, SCAN_PAGE);
      const out: OutgoingEvent[] = [];
      for (const task of due) {
        const next = whatIsDue(task, now);
        if (next.kind === 'none') continue;
        const [journey] = await this.journeys.findManyForUpdate(manager, [task.requestId]);
        if (!journey) continue;
        if (next.kind === 'expire') {
          await this.conclude(manager, journey, next.task, now);
          this.logger.warn({ requestId: task.requestId, taskId: task.taskId, kind: task.kind }, 'approval expired: treated as rejected');
          continue;
        }
        await this.tasks.save(manager, next.task);
        const payload = this.taskPayload(next.task);
        if (next.kind === 'remind') {
          out.push(outgoing(ApprovalReminderV1, buildEvent(ApprovalReminderV1, this.context(journey), payload, this.identity(now))));
        } else {
          out.push(outgoing(ApprovalEscalatedV1, buildEvent(ApprovalEscalatedV1, this.context(journey), { ...payload, fromGroup: next.fromGroup }, this.identity(now))));
          this.logger.warn({ requestId: task.requestId, taskId: task.taskId, to: next.task.assigneeGroup }, 'approval escalated to the fallback group');
        }
      }
      await this.outbox.add(manager, out);
      return due.length;
    });
  }

  private async open(
    manager: EntityManager,
    journey: Journey,
    kind: ApprovalKind,
    step: string | null,
    approvers: Approvers,
    decision: PolicyDecision,
    context: Record<string, unknown>,
    now: Date,
  ): Promise<void> {
    const task = openTask({ taskId: this.ids.next(), requestId: journey.requestId, kind, step, approvers, policyVersion: decision.policyVersion, rule: decision.rule, context, now });
    if (!(await this.tasks.insert(manager, task))) return;
    const payload = { ...this.taskPayload(task), ...(step ? { step } : {}) };
    await this.outbox.add(manager, [outgoing(ApprovalRequestedV1, buildEvent(ApprovalRequestedV1, this.context(journey), payload, this.identity(now)))]);
  }

  /** Records the decision; starts or rejects a pre-approved journey; tells assurance. */
  private async conclude(manager: EntityManager, journey: Journey, task: ApprovalTask, now: Date): Promise<void> {
    await this.tasks.save(manager, task);
    const decision = task.status === 'approved' ? 'approved' : task.status === 'expired' ? 'expired' : 'rejected';
    const out: OutgoingEvent[] = [
      outgoing(
        ApprovalDecidedV1,
        buildEvent(
          ApprovalDecidedV1,
          this.context(journey),
          {
            taskId: task.taskId,
            kind: task.kind,
            decision,
            decidedBy: task.decidedBy ?? 'intake',
            comment: task.comment ?? decision,
            ...(task.step ? { step: task.step } : {}),
            ...(typeof escalationAttempts(task) === 'number' ? { attempts: escalationAttempts(task) as number } : {}),
            policyVersion: task.policyVersion,
            rule: task.rule,
            decidedAt: now.toISOString(),
          },
          this.identity(now),
        ),
      ),
    ];
    if (task.kind === 'pre-approval') {
      const next = applyPreApproval(journey, decision === 'approved', `${decision} by ${task.decidedBy ?? 'intake'}: ${task.comment ?? ''}`, now);
      if (next) {
        await this.journeys.save(manager, [next]);
        if (next.status === 'requested') {
          const definition = definitionDocument(await this.definitions.version(next.request.type, next.definitionVersion));
          out.push(outgoing(JourneyRequestedV1, requestedEvent(next, definition, this.ids.next(), now)));
        }
      }
    }
    await this.outbox.add(manager, out);
  }

  private taskPayload(task: ApprovalTask) {
    return { taskId: task.taskId, kind: task.kind, assigneeGroup: task.assigneeGroup, dueAt: task.dueAt.toISOString(), policyVersion: task.policyVersion, rule: task.rule };
  }

  private context(journey: Journey) {
    return { requestId: journey.requestId, journeyType: journey.request.type, producer: PRODUCER };
  }

  private identity(now: Date) {
    return { eventId: this.ids.next(), occurredAt: now };
  }
}
