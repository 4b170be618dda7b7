import type { JourneyParties } from '@closeloop/auth';
import {
  ApprovalDecidedV1,
  buildEvent,
  CompensationRequestedV1,
  currentDefinition,
  definitionOfRequest,
  type EventEnvelope,
  JourneyCompensatedV1,
  type JourneyDefinition,
  JourneyEscalatedV1,
  JourneyFailedV1,
  JourneyRequestedV1,
  type JourneyType,
  OutcomeConfirmedV1,
  StepRetryRequestedV1,
  StepStalledV1,
} from '@closeloop/contracts';
import { claimFresh,Inbox, Outbox, outgoing, type OutgoingEvent, TerminalError } from '@closeloop/messaging';
import { createLogger } from '@closeloop/observability';
import { CLOCK, type Clock, ID_GENERATOR, type IdGenerator } from '@closeloop/runtime';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

import { type AuditFact, chain } from '../audit/audit.domain';
import { AuditRepository } from '../audit/audit.repository';
import { JourneyRepository, type OutcomeRecord } from './journey.repository';
import { type Circumstances, type Decision, type Emission, history, observe, type OperatorDecision, resolveEscalation, tick, type TrackedJourney } from './tracking.domain';
import { WorkQueueError } from './work-queue.errors';

/** The work queue's page cursor: the last row's start time and request id, base64url. */
const encodeCursor = (journey: TrackedJourney): string => Buffer.from(`${journey.startedAt ?? ''}|${journey.requestId}`, 'utf8').toString('base64url');
const decodeCursor = (cursor: string): { startedAt: string | null; requestId: string } => {
  const [startedAt, requestId] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (requestId === undefined || !/^[0-9a-f-]{36}$/i.test(requestId) || (startedAt !== '' && Number.isNaN(Date.parse(startedAt ?? '')))) {
    throw new WorkQueueError('BAD_CURSOR', 'after: not a cursor of this work queue (use the "next" of the previous page)');
  }
  return { startedAt: startedAt || null, requestId };
};

const PRODUCER = 'assurance';

/**
 * The newest definition of each type this instance has seen a journey request with: what an
 * event that overtook its journey's request is read by. Until one is seen, the shipped one.
 */
class SeenDefinitions {
  private readonly latestByType = new Map<JourneyType, JourneyDefinition>();

  learn(definition: JourneyDefinition): void {
    const known = this.latestByType.get(definition.type);
    if (!known || known.version < definition.version) this.latestByType.set(definition.type, definition);
  }

  latest(type: JourneyType): JourneyDefinition | undefined {
    return this.latestByType.get(type) ?? currentDefinition(type);
  }
}

@Injectable()
export class TrackingService {
  private readonly logger = createLogger(TrackingService.name);
  private readonly definitions = new SeenDefinitions();

  constructor(
    private readonly dataSource: DataSource,
    private readonly journeys: JourneyRepository,
    private readonly audit: AuditRepository,
    private readonly outbox: Outbox,
    private readonly inbox: Inbox,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
  ) {}

  /**
   * Follows every event of the journeys in the batch: records signals and failures, schedules
   * retries, escalates, and when a journey's definition of done is met stores its
   * confirmed-outcome record and publishes `assurance.outcome.confirmed` — in one transaction
   * with the inbox, so a redelivered event changes nothing and a journey is confirmed once.
   */
  async observe(events: readonly EventEnvelope[]): Promise<void> {
    for (const event of events) this.assertKnownDefinition(event);
    await this.dataSource.transaction(async (manager) => {
      const todo = await claimFresh(this.inbox, manager, events);
      if (todo.length === 0) return;
      const at = this.circumstances();
      const tracked = await this.journeys.lockOrCreate(manager, todo, at.now);
      const changed = new Map<string, TrackedJourney>();
      const decisions: Array<{ decision: Decision; causationId: string; fact: AuditFact }> = [];
      for (const event of todo) {
        const before = changed.get(event.requestId) ?? (tracked.get(event.requestId) as TrackedJourney);
        const decision = observe(before, event, at);
        changed.set(event.requestId, decision.journey);
        decisions.push({ decision, causationId: event.eventId, fact: eventFact(event, at.now) });
      }
      await this.persist(manager, changed, decisions, at.now);
    });
  }

  /**
   * Acts on journeys with a step past its deadline or due for a retry. Several instances may
   * scan at once: each takes only the journeys nobody holds. Returns how many it handled.
   */
  async scanDeadlines(limit = 200): Promise<number> {
    const at = this.circumstances();
    const due = await this.journeys.findDue(at.now, limit);
    if (due.length === 0) return 0;
    return this.dataSource.transaction(async (manager) => {
      const locked = await this.journeys.lockAvailable(manager, due);
      const changed = new Map<string, TrackedJourney>();
      const decisions: Array<{ decision: Decision; causationId: undefined }> = [];
      for (const journey of locked) {
        const decision = tick(journey, at);
        changed.set(journey.requestId, decision.journey);
        decisions.push({ decision, causationId: undefined });
      }
      await this.persist(manager, changed, decisions, at.now);
      return locked.length;
    });
  }

  /** The work queue: escalated journeys with their whole history as context. */
  async workQueue(limit = 100, after?: string) {
    const items = await this.journeys.listEscalated(limit, after === undefined ? undefined : decodeCursor(after));
    const last = items.length === limit ? items[items.length - 1]?.journey : undefined;
    return { items: items.map(({ journey, claimedBy }) => ({
      requestId: journey.requestId,
      journeyType: journey.journeyType,
      claimedBy,
      escalatedSteps: journey.compensation?.current
        ? [{ step: `compensate:${journey.compensation.current.step}`, attempts: journey.compensation.current.attempt, lastEnd: 'DEADLINE_MISSED' }]
        : Object.entries(journey.steps)
            .filter(([, s]) => s.status === 'escalated')
            .map(([step, s]) => ({ step, attempts: s.attempt, lastEnd: s.lastEnd })),
      history: history(journey),
    })), next: last ? encodeCursor(last) : undefined };
  }

  /** Who a journey belongs to, for separation of duties: its requester, its subject, the creator of the API key it was requested with. */
  async partiesOf(requestId: string): Promise<JourneyParties> {
    const journey = await this.journeys.findJourney(requestId);
    if (!journey) throw new WorkQueueError('NOT_FOUND', `no journey ${requestId}`);
    if (!journey.request) throw new WorkQueueError('REQUEST_UNSEEN', `assurance has not seen the request of journey ${requestId} yet, so nobody can act on it`);
    const { requestedBy, subject, requestedVia } = journey.request;
    return { requestedBy, subject, apiKeyCreatedBy: requestedVia?.createdBy };
  }

  /** An operator takes an escalated journey; a journey claimed by someone else cannot be taken. */
  async claim(requestId: string, operator: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const found = await this.journeys.lockOne(manager, requestId);
      if (!found) throw new WorkQueueError('NOT_FOUND', `no journey ${requestId}`);
      if (found.journey.status !== 'escalated') throw new WorkQueueError('NOT_ESCALATED', `journey ${requestId} is ${found.journey.status}, not escalated`);
      if (found.claimedBy && found.claimedBy !== operator) throw new WorkQueueError('CLAIMED_BY_OTHER', `journey ${requestId} is claimed by ${found.claimedBy}`);
      await this.journeys.setClaim(manager, requestId, operator);
      const now = this.clock.now();
      const heads = await this.audit.heads(manager, [requestId]);
      const fact: AuditFact = { at: now.toISOString(), actor: `operator:${operator}`, action: 'operator.claimed', reason: 'claimed from the work queue', traceId: null, detail: {} };
      await this.audit.append(manager, chain(requestId, heads.get(requestId) as { seq: number; hash: string }, [fact]));
    });
  }

  /** The operator who claimed the journey resolves it: retry now, fixed by hand (with evidence), or fail. */
  async resolve(requestId: string, operator: string, decision: OperatorDecision, comment: string): Promise<TrackedJourney> {
    return this.dataSource.transaction(async (manager) => {
      const found = await this.journeys.lockOne(manager, requestId);
      if (!found) throw new WorkQueueError('NOT_FOUND', `no journey ${requestId}`);
      if (found.claimedBy !== operator) {
        throw new WorkQueueError('NOT_CLAIMED', found.claimedBy ? `journey ${requestId} is claimed by ${found.claimedBy}` : `claim journey ${requestId} first`);
      }
      const at = this.circumstances();
      const decided = resolveEscalation(found.journey, operator, decision, at);
      if (decided === 'NOT_ESCALATED') throw new WorkQueueError('NOT_ESCALATED', `journey ${requestId} is ${found.journey.status}, not escalated`);
      const fact: AuditFact = {
        at: at.now.toISOString(),
        actor: `operator:${operator}`,
        action: `operator.${decision.kind}`,
        reason: comment,
        traceId: null,
        detail: decision.kind === 'fixed' ? { evidence: decision.evidence } : {},
      };
      await this.journeys.setClaim(manager, requestId, null);
      await this.persist(manager, new Map([[requestId, decided.journey]]), [{ decision: decided, causationId: undefined, fact }], at.now);
      return decided.journey;
    });
  }

  timeline(requestId: string, page?: { limit: number; afterSeq: number }) {
    return this.audit.timeline(requestId, page);
  }

  findJourney(requestId: string) {
    return this.journeys.findJourney(requestId);
  }

  findOutcome(requestId: string) {
    return this.journeys.findOutcome(requestId);
  }

  private circumstances(): Circumstances {
    return { now: this.clock.now(), random: Math.random, definitions: this.definitions };
  }

  private async persist(
    manager: EntityManager,
    changed: ReadonlyMap<string, TrackedJourney>,
    decisions: ReadonlyArray<{ decision: Decision; causationId: string | undefined; fact?: AuditFact }>,
    now: Date,
  ): Promise<void> {
    const outcomes: OutcomeRecord[] = [];
    const out: OutgoingEvent[] = [];
    const facts = new Map<string, AuditFact[]>();
    const record = (requestId: string, fact: AuditFact) => facts.set(requestId, [...(facts.get(requestId) ?? []), fact]);
    for (const { decision, causationId, fact } of decisions) {
      if (fact) record(decision.journey.requestId, fact);
      for (const emission of decision.emissions) {
        const event = this.toEvent(decision.journey, emission, causationId, now);
        out.push(event);
        if (emission.kind === 'confirmed') outcomes.push({ ...emission.outcome, eventId: event.event.eventId });
        record(decision.journey.requestId, emissionFact(emission, event.event.eventId, now));
        this.log(decision.journey, emission);
      }
    }
    const heads = await this.audit.heads(manager, [...facts.keys()]);
    await this.audit.append(
      manager,
      [...facts].flatMap(([requestId, list]) => chain(requestId, heads.get(requestId) as { seq: number; hash: string }, list)),
    );
    await this.journeys.saveAll(manager, [...changed.values()], now);
    await this.journeys.insertOutcomes(manager, outcomes);
    await this.outbox.add(manager, out);
  }

  private toEvent(journey: TrackedJourney, emission: Emission, causationId: string | undefined, now: Date): OutgoingEvent {
    const identity = { eventId: this.ids.next(), occurredAt: now };
    const context = { requestId: journey.requestId, journeyType: journey.journeyType, producer: PRODUCER, ...(causationId ? { causationId } : {}) };
    switch (emission.kind) {
      case 'confirmed': {
        const { requestId: _r, journeyType: _t, ...payload } = emission.outcome;
        return outgoing(OutcomeConfirmedV1, buildEvent(OutcomeConfirmedV1, context, { ...payload, signals: [...payload.signals] }, identity));
      }
      case 'stalled':
        return outgoing(
          StepStalledV1,
          buildEvent(StepStalledV1, context, { step: emission.step, attempt: emission.attempt, deadlineAt: emission.deadlineAt, detectedAt: now.toISOString() }, identity),
        );
      case 'retry': {
        if (!journey.request) throw new TerminalError('NO_REQUEST', `journey ${journey.requestId} has no request to retry with`);
        const evidence = Object.fromEntries(Object.entries(journey.signals).map(([topic, signal]) => [topic, signal.evidence]));
        const payload = { step: emission.step, owner: emission.owner, attempt: emission.attempt, reason: emission.reason, request: journey.request, evidence };
        return outgoing(StepRetryRequestedV1, buildEvent(StepRetryRequestedV1, context, payload, identity));
      }
      case 'compensate': {
        if (!journey.request) throw new TerminalError('NO_REQUEST', `journey ${journey.requestId} has no request to compensate`);
        const evidence = Object.fromEntries(Object.entries(journey.signals).map(([topic, signal]) => [topic, signal.evidence]));
        const payload = { step: emission.step, owner: emission.owner, attempt: emission.attempt, reason: emission.reason, request: journey.request, evidence };
        return outgoing(CompensationRequestedV1, buildEvent(CompensationRequestedV1, context, payload, identity));
      }
      case 'compensated':
        return outgoing(
          JourneyCompensatedV1,
          buildEvent(JourneyCompensatedV1, context, { steps: [...emission.steps], reason: emission.reason, compensatedAt: now.toISOString() }, identity),
        );
      case 'failed':
        return outgoing(
          JourneyFailedV1,
          buildEvent(JourneyFailedV1, context, { step: emission.step, code: 'PROVISIONING_FAILED', reason: emission.reason, failedAt: now.toISOString() }, identity),
        );
      case 'escalated': {
        const { step, attempts, reason, escalateTo, history } = emission;
        return outgoing(JourneyEscalatedV1, buildEvent(JourneyEscalatedV1, context, { step, attempts, reason, escalateTo, history: [...history] }, identity));
      }
    }
  }

  private log(journey: TrackedJourney, emission: Emission): void {
    const base = { requestId: journey.requestId, journeyType: journey.journeyType };
    switch (emission.kind) {
      case 'confirmed':
        return this.logger.info({ ...base, durationMs: emission.outcome.durationMs }, 'journey outcome confirmed');
      case 'stalled':
        return this.logger.warn({ ...base, step: emission.step, attempt: emission.attempt }, 'step stalled: deadline missed');
      case 'retry':
        return this.logger.warn({ ...base, step: emission.step, attempt: emission.attempt, reason: emission.reason }, 'step retry requested');
      case 'escalated':
        return this.logger.warn({ ...base, step: emission.step, attempts: emission.attempts, escalateTo: emission.escalateTo }, 'journey escalated');
      case 'failed':
        return this.logger.warn({ ...base, step: emission.step }, 'journey failed');
      case 'compensate':
        return this.logger.warn({ ...base, step: emission.step, attempt: emission.attempt }, 'compensation requested');
      case 'compensated':
        return this.logger.info({ ...base, steps: emission.steps }, 'journey compensated');
    }
  }

  private assertKnownDefinition(event: EventEnvelope): void {
    if (event.eventType !== JourneyRequestedV1.eventType) return;
    const request = event.payload as JourneyRequestedV1['payload'];
    const definition = definitionOfRequest(request);
    if (!definition) {
      throw new TerminalError(
        'UNKNOWN_DEFINITION',
        request.definition
          ? `journey ${event.requestId} carries a ${event.journeyType} definition v${request.definitionVersion} that is not valid against the event contracts assurance knows`
          : `journey ${event.requestId} asks for ${event.journeyType} definition v${request.definitionVersion}, which it does not carry and which is not a shipped definition`,
      );
    }
    this.definitions.learn(definition);
  }
}

/** What an observed event adds to the audit trail. */
const eventFact = (event: EventEnvelope, now: Date): AuditFact => {
  const payload = event.payload as { code?: string; reason?: string; attempt?: number };
  const reason = payload.code ? `${payload.code}: ${payload.reason ?? ''}` : event.eventType.endsWith('.verified') ? 'verification signal received' : 'event received';
  if (event.eventType === ApprovalDecidedV1.eventType) {
    // A person's decision: a human touchpoint, with its comment, in the journey's audit trail.
    const decided = event.payload as ApprovalDecidedV1['payload'];
    return {
      at: now.toISOString(),
      actor: decided.decision === 'expired' ? 'intake' : `approver:${decided.decidedBy}`,
      action: `approval.${decided.kind}.${decided.decision}`,
      reason: decided.comment,
      traceId: null,
      detail: { eventId: event.eventId, taskId: decided.taskId, policyVersion: decided.policyVersion, rule: decided.rule, ...(decided.step ? { step: decided.step } : {}) },
    };
  }
  return {
    at: now.toISOString(),
    actor: event.producer,
    action: event.eventType,
    reason,
    traceId: null,
    detail: { eventId: event.eventId, occurredAt: event.occurredAt, ...(event.causationId ? { causationId: event.causationId } : {}) },
  };
};

/** What assurance itself did, for the audit trail. */
const emissionFact = (emission: Emission, eventId: string, now: Date): AuditFact => {
  const base = { at: now.toISOString(), actor: 'assurance', traceId: null };
  switch (emission.kind) {
    case 'confirmed':
      return { ...base, action: 'journey.confirmed', reason: 'every verification signal of the definition of done arrived', detail: { eventId, durationMs: emission.outcome.durationMs } };
    case 'stalled':
      return { ...base, action: 'step.stalled', reason: `${emission.step} attempt ${emission.attempt} missed its deadline`, detail: { eventId, step: emission.step, attempt: emission.attempt, deadlineAt: emission.deadlineAt } };
    case 'retry':
      return { ...base, action: 'step.retry-requested', reason: `${emission.reason}: attempt ${emission.attempt} of ${emission.step}`, detail: { eventId, step: emission.step, attempt: emission.attempt } };
    case 'escalated':
      return { ...base, action: 'journey.escalated', reason: emission.reason, detail: { eventId, step: emission.step, attempts: emission.attempts, escalateTo: emission.escalateTo } };
    case 'failed':
      return { ...base, action: 'journey.failed', reason: emission.reason, detail: { eventId, step: emission.step } };
    case 'compensate':
      return { ...base, action: 'compensation.requested', reason: `undo ${emission.step} (attempt ${emission.attempt}): ${emission.reason}`, detail: { eventId, step: emission.step, attempt: emission.attempt } };
    case 'compensated':
      return { ...base, action: 'journey.compensated', reason: `undone in order: ${emission.steps.join(', ') || 'nothing had started'}`, detail: { eventId, steps: emission.steps } };
  }
};
