import { createHash } from 'node:crypto';

import {
  buildEvent,
  canonicalJson,
  definitionDocument,
  JourneyCancelRequestedV1,
  type JourneyRequest,
  JourneyRequestedV1,
  type RequestedVia,
} from '@closeloop/contracts';
import { claimFresh,Inbox, Outbox, outgoing, TerminalError } from '@closeloop/messaging';
import { createLogger } from '@closeloop/observability';
import { CLOCK, type Clock, ID_GENERATOR, type IdGenerator } from '@closeloop/runtime';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { ApprovalsService } from '../approvals/approvals.service';
import { DefinitionStore } from '../definitions/definition.store';
import { catalogueIssues, decide } from '../policy/policy';
import { PolicyStore } from '../policy/policy.store';
import { JourneyRepository } from './journey.repository';
import { acceptRequest, applyAssuranceEvent, type AssuranceVerdict, cancelJourney, duplicateIssues, type Journey, PRODUCER } from './journeys.domain';
import { IntakeError } from './journeys.errors';

const UNIQUE_VIOLATION = '23505';

export interface Submission {
  readonly journey: Journey;
  readonly created: boolean;
}

/** Who submits a journey (the authenticated principal, or an upstream consumer): its `requestedBy` is `id`. */
export interface Caller {
  readonly kind: 'user' | 'api-key';
  readonly id: string;
  /** The key an upstream system called with, when the authentication says so. */
  readonly apiKey?: { readonly id: string; readonly name: string; readonly createdBy: string } | undefined;
}

const API_KEY_PREFIX = 'api-key:';

@Injectable()
export class JourneysService {
  private readonly logger = createLogger(JourneysService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly journeys: JourneyRepository,
    private readonly outbox: Outbox,
    private readonly inbox: Inbox,
    private readonly policies: PolicyStore,
    private readonly definitions: DefinitionStore,
    private readonly approvals: ApprovalsService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
  ) {}

  /**
   * Starts a journey, or with an idempotency key the caller already used for the same request
   * returns the journey it started (a key is the caller's own: `requestedBy` scopes it). The
   * request must name each group and app once, and only apps and roles of the policy's app
   * catalogue. The active policy decides the control pattern: under pre-action approval the
   * journey waits for a person (an approval task, no `journey.requested` yet); otherwise the
   * journey row and its `journey.requested` event commit together. A new hire for an employee
   * whose account another new hire owns is refused, naming that journey.
   */
  async submit(request: JourneyRequest, idempotencyKey: string | null, caller?: Caller): Promise<Submission> {
    const requestHash = createHash('sha256').update(canonicalJson(request)).digest('hex');
    // No look-up first: a replayed Idempotency-Key hits the unique index, and then the journey
    // it started is returned (below). The first request costs no extra round trip.
    const definition = await this.definitions.forNewJourney(request.type, request.definitionVersion);
    const active = await this.policies.current();
    const issues = [...duplicateIssues(request), ...catalogueIssues(active, request)];
    if (issues.length > 0) {
      // A replay of a journey accepted under an earlier catalogue is still that journey.
      const replayed = idempotencyKey ? await this.findReplay(request.requestedBy, idempotencyKey, requestHash) : null;
      if (replayed) return { journey: replayed, created: false };
      throw new IntakeError('INVALID_REQUEST', issues.map((i) => `${i.field}: ${i.message}`).join('; '), { details: { issues } });
    }
    const requestedVia = await this.requestedVia(caller);
    const { approvers, ...policy } = decide(active, request);
    const now = this.clock.now();
    const { journey, event } = acceptRequest({
      request,
      requestId: this.ids.next(),
      eventId: this.ids.next(),
      now,
      idempotencyKey,
      requestHash,
      definitionVersion: definition.version,
      definition: definitionDocument(definition),
      policy,
      requestedVia,
    });
    try {
      await this.dataSource.transaction(async (manager) => {
        await this.journeys.insert(manager, journey);
        if (event) await this.outbox.add(manager, [outgoing(JourneyRequestedV1, event)]);
        else await this.approvals.openPreApproval(manager, journey, policy, approvers, now);
      });
    } catch (error) {
      const violation = error as { code?: string; constraint?: string };
      if (violation.code !== UNIQUE_VIOLATION) throw error;
      // A replay first, whichever unique index PostgreSQL reported: a replayed new hire also
      // collides with its own live journey.
      const existing = idempotencyKey ? await this.findReplay(request.requestedBy, idempotencyKey, requestHash) : null;
      if (existing) return { journey: existing, created: false };
      if (violation.constraint === 'journeys_one_live_new_hire') throw await this.ownedByAnother(request.subject.employeeId);
      throw error;
    }
    this.logger.info({ requestId: journey.requestId, journeyType: journey.journeyType, control: policy.control, rule: policy.rule, policyVersion: policy.policyVersion }, 'journey requested');
    return { journey, created: true };
  }

  /** Cancels a journey in flight: assurance compensates the steps that ran. */
  async cancel(requestId: string, requestedBy: string, reason: string): Promise<Journey> {
    return this.dataSource.transaction(async (manager) => {
      const [journey] = await this.journeys.findManyForUpdate(manager, [requestId]);
      if (!journey) throw new IntakeError('JOURNEY_NOT_FOUND', `no journey ${requestId}`);
      const now = this.clock.now();
      const cancelled = cancelJourney(journey, now);
      if (cancelled === 'ALREADY_CONFIRMED') throw new IntakeError('CANNOT_CANCEL', `journey ${requestId} is confirmed; undoing it is an offboarding journey, not a cancel`);
      if (cancelled === 'ALREADY_ENDED') throw new IntakeError('CANNOT_CANCEL', `journey ${requestId} is ${journey.status}`);
      await this.journeys.save(manager, [cancelled]);
      await this.approvals.cancelOpen(manager, requestId, now, requestedBy);
      // Before approval nothing ran: there is nothing for assurance to undo.
      if (cancelled.status === 'rejected') return cancelled;
      const event = buildEvent(
        JourneyCancelRequestedV1,
        { requestId, journeyType: journey.request.type, producer: PRODUCER },
        { requestedBy, reason },
        { eventId: this.ids.next(), occurredAt: now },
      );
      await this.outbox.add(manager, [outgoing(JourneyCancelRequestedV1, event)]);
      this.logger.info({ requestId, eventId: event.eventId }, 'journey cancel requested');
      return cancelled;
    });
  }

  find(requestId: string): Promise<Journey | null> {
    return this.journeys.findById(requestId);
  }

  /** Records assurance's verdicts (confirmed or failed) on the journeys, once per event. */
  async recordVerdicts(events: readonly AssuranceVerdict[]): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const todo = await claimFresh(this.inbox, manager, events);
      const byId = new Map((await this.journeys.findManyForUpdate(manager, [...new Set(todo.map((e) => e.requestId))].sort())).map((j) => [j.requestId, j]));
      const now = this.clock.now();
      for (const event of todo) {
        const journey = byId.get(event.requestId);
        if (!journey) throw new TerminalError('UNKNOWN_JOURNEY', `verdict ${event.eventId} names journey ${event.requestId}, which intake never accepted`);
        const next = applyAssuranceEvent(journey, event, now);
        if (next) byId.set(next.requestId, next);
      }
      await this.journeys.save(manager, [...byId.values()]);
      // Approval on exception and post-action attestation open their tasks from the verdicts.
      await this.approvals.onVerdicts(manager, byId, todo, now);
    });
  }

  /**
   * A journey never takes over what another journey created: the new hire that owns the
   * employee's account is named, so that a person can follow it (or cancel it) instead.
   */
  private async ownedByAnother(employeeId: string): Promise<IntakeError> {
    const owner = await this.journeys.findAccountOwner(employeeId);
    const which = owner ? `new-hire journey ${owner.requestId} (${owner.status})` : 'another new-hire journey';
    return new IntakeError(
      'SUBJECT_ALREADY_ONBOARDING',
      `employee ${employeeId} already has an account owned by ${which}: a journey never takes over what another journey created; follow or cancel that journey instead`,
      owner ? { details: { ownerRequestId: owner.requestId } } : undefined,
    );
  }

  /** The API key a journey comes with, and the admin who created it; null for a person or an upstream consumer. */
  private async requestedVia(caller: Caller | undefined): Promise<RequestedVia | null> {
    if (caller?.kind !== 'api-key') return null;
    if (caller.apiKey) return { apiKeyId: caller.apiKey.id, apiKeyName: caller.apiKey.name, createdBy: caller.apiKey.createdBy };
    const name = caller.id.startsWith(API_KEY_PREFIX) ? caller.id.slice(API_KEY_PREFIX.length) : caller.id;
    const key = await this.journeys.findApiKeyByName(name);
    if (!key) throw new IntakeError('CALLER_UNKNOWN', `API key ${name} is no longer on record; submit the journey again with a current key`);
    return { apiKeyId: key.id, apiKeyName: key.name, createdBy: key.createdBy };
  }

  private async findReplay(requestedBy: string, idempotencyKey: string, requestHash: string): Promise<Journey | null> {
    const existing = await this.journeys.findByIdempotencyKey(requestedBy, idempotencyKey);
    if (existing && existing.requestHash !== requestHash) {
      throw new IntakeError('IDEMPOTENCY_KEY_REUSED', 'Idempotency-Key was already used for a different request');
    }
    return existing;
  }
}
