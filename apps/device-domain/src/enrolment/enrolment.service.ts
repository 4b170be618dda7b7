import type { CompensationOf, Requested, RetryOf } from '@closeloop/contracts';
import { AssignmentCompensatedV1, buildEvent, causedBy, ComplianceFailedV1, ComplianceVerifiedV1, type EventEnvelope, requestedAttempt, type RequestedOf } from '@closeloop/contracts';
import { claimFresh,Inbox, Outbox, outgoing, type OutgoingEvent } from '@closeloop/messaging';
import { createLogger } from '@closeloop/observability';
import { CLOCK, type Clock, ID_GENERATOR, type IdGenerator } from '@closeloop/runtime';
import { Inject, Injectable } from '@nestjs/common';
import pLimit from 'p-limit';
import { DataSource } from 'typeorm';

import {
  DEVICE_MANAGEMENT_CONNECTOR,
  type DeviceManagementConnector,
  DeviceManagementRejectedError,
} from '../device-management/device-management.connector';
import { type DeviceAssignment, DeviceAssignmentRepository } from './device-assignment.repository';
import { type ComplianceDecision, decideCompliance, NEW_HIRE_DEVICE } from './enrolment.domain';

const PRODUCER = 'device-domain';
/** The journey step this service owns. */
const STEP_OWNER = NEW_HIRE_DEVICE.owner;
/** Device management calls in flight at once per batch (the database pool is 10 by default). */
const CONNECTOR_CONCURRENCY = 8;

@Injectable()
export class EnrolmentService {
  private readonly logger = createLogger(EnrolmentService.name);
  private readonly connectorSlots = pLimit(CONNECTOR_CONCURRENCY);

  constructor(
    private readonly dataSource: DataSource,
    private readonly assignments: DeviceAssignmentRepository,
    private readonly outbox: Outbox,
    private readonly inbox: Inbox,
    @Inject(DEVICE_MANAGEMENT_CONNECTOR) private readonly devices: DeviceManagementConnector,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
  ) {}

  /**
   * Assigns a device from stock, enrols it, reads its compliance back and reports the result,
   * in parallel with the identity and SaaS steps. One transaction per batch.
   */
  enrolDevices(events: ReadonlyArray<Requested<'new-hire'>>): Promise<void> {
    return this.run(events.map((cause) => ({ cause, request: cause.payload, retry: false })));
  }

  /** Assurance asks for another attempt: re-check device management, do what is missing, report again. */
  retry(events: ReadonlyArray<RetryOf<'new-hire'>>): Promise<void> {
    const mine = events.filter((e) => e.payload.owner === STEP_OWNER && e.payload.step === NEW_HIRE_DEVICE.step);
    return this.run(mine.map((cause) => ({ cause, request: cause.payload.request, retry: true })));
  }

  /**
   * Compensation undoes only what this journey did: the device assigned for this journey (never
   * another device the employee holds) goes back to stock, is read back, and the undo confirmed.
   */
  async compensate(events: ReadonlyArray<CompensationOf<'new-hire'>>): Promise<void> {
    const mine = events.filter((e) => e.payload.owner === STEP_OWNER && e.payload.step === NEW_HIRE_DEVICE.step);
    if (mine.length === 0) return;
    await this.dataSource.transaction(async (manager) => {
      const todo = await claimFresh(this.inbox, manager, mine);
      const out: OutgoingEvent[] = [];
      await this.assignments.lock(
        manager,
        todo.map((e) => ({ requestId: e.requestId, employeeId: e.payload.request.subject.employeeId, model: e.payload.request.device.model })),
      );
      for (const event of todo) {
        const { subject, device } = event.payload.request;
        const released = await this.devices.releaseForOrder(event.requestId, subject.employeeId);
        const readBack = released ? await this.devices.readDevice(released.assetTag) : null;
        if (readBack && (readBack.assignedTo !== null || readBack.enrolled)) {
          this.logger.warn({ requestId: event.requestId, eventId: event.eventId }, 'device still assigned after compensation; not confirmed');
          continue;
        }
        const now = this.clock.now();
        const undone = released ? `device ${released.assetTag} unenrolled and back in stock` : 'no device had been assigned';
        await this.assignments.saveAll(manager, [
          { requestId: event.requestId, employeeId: subject.employeeId, model: device.model, assetTag: released?.assetTag ?? null, serialNumber: null, status: 'compensated', failure: null, updatedAt: now },
        ]);
        out.push(
          outgoing(AssignmentCompensatedV1, buildEvent(AssignmentCompensatedV1, causedBy(event, PRODUCER), { step: NEW_HIRE_DEVICE.step, undone, compensatedAt: now.toISOString() }, { eventId: this.ids.next(), occurredAt: now })),
        );
        this.logger.info({ requestId: event.requestId, eventId: event.eventId }, 'device step compensated');
      }
      await this.outbox.add(manager, out);
    });
  }

  private async run(items: ReadonlyArray<{ cause: EventEnvelope; request: RequestedOf<'new-hire'>; retry: boolean }>): Promise<void> {
    if (items.length === 0) return;
    await this.dataSource.transaction(async (manager) => {
      const todo = await claimFresh(this.inbox, manager, items, (i) => i.cause.eventId);
      const states = await this.assignments.lock(
        manager,
        todo.map((i) => ({ requestId: i.cause.requestId, employeeId: i.request.subject.employeeId, model: i.request.device.model })),
      );
      const records: DeviceAssignment[] = [];
      const out: OutgoingEvent[] = [];
      // Work once per journey (the last request of the batch wins); never after a compensation.
      const latest = new Map(todo.map((i) => [i.cause.requestId, i]));
      const pending = [...latest.values()].filter((i) => {
        const status = states.get(i.cause.requestId);
        return status !== 'compensated' && (i.retry || status === 'pending');
      });
      // The device management calls of a batch run side by side (bounded); results keep the batch order.
      const decisions = await Promise.all(pending.map((i) => this.connectorSlots(() => this.enrol(i.cause.requestId, i.request.device.model, i.request.subject.employeeId))));
      for (const [i, { cause: event, request }] of pending.entries()) {
        const { employeeId } = request.subject;
        const { model } = request.device;
        const decision = decisions[i] as ComplianceDecision;
        const now = this.clock.now();
        const identity = { eventId: this.ids.next(), occurredAt: now };
        const context = causedBy(event, PRODUCER);
        if (decision.kind === 'verified') {
          const { device } = decision;
          records.push({ requestId: event.requestId, employeeId, model, assetTag: device.assetTag, serialNumber: device.serialNumber, status: 'verified', failure: null, updatedAt: now });
          out.push(
            outgoing(
              ComplianceVerifiedV1,
              buildEvent(
                ComplianceVerifiedV1,
                context,
                { assetTag: device.assetTag, serialNumber: device.serialNumber, model: device.model, enrolled: true, compliant: true, checkedAt: now.toISOString() },
                identity,
              ),
            ),
          );
        } else {
          records.push({ requestId: event.requestId, employeeId, model, assetTag: null, serialNumber: null, status: 'failed', failure: { code: decision.code, reason: decision.reason }, updatedAt: now });
          out.push(outgoing(ComplianceFailedV1, buildEvent(ComplianceFailedV1, context, { step: NEW_HIRE_DEVICE.step, attempt: requestedAttempt(event), code: decision.code, reason: decision.reason, failedAt: now.toISOString() }, identity)));
        }
        this.logger.info({ requestId: event.requestId, eventId: event.eventId, result: decision.kind }, 'device step done');
      }
      await this.assignments.saveAll(manager, records);
      await this.outbox.add(manager, out);
    });
  }

  /**
   * Assigns a device for this journey (the journey is the order): a retry finds the same device,
   * and a device the employee already holds is never taken for this journey's own.
   */
  private async enrol(requestId: string, model: string, employeeId: string): Promise<ComplianceDecision> {
    try {
      const { assetTag } = await this.devices.assignForOrder(model, employeeId, requestId);
      await this.devices.enrol(assetTag, employeeId);
      return decideCompliance(model, employeeId, await this.devices.readDevice(assetTag));
    } catch (error) {
      if (error instanceof DeviceManagementRejectedError) return { kind: 'failed', code: 'PROVISIONING_FAILED', reason: error.message };
      throw error;
    }
  }
}

