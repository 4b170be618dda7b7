import type { CompensationOf, Requested, RetryOf } from '@closeloop/contracts';
import { AssignmentCompensatedV1, ComplianceVerifiedV1, type RequestedOf } from '@closeloop/contracts';
import { createLogger } from '@closeloop/observability';
import { attemptSteps, boundedCalls, conclusion, dueSteps, forStep, outcomeEvents, ParticipantPorts, requestAsks, retryAsks, type StepAsk, stepContracts, stepTransaction } from '@closeloop/participant';
import { compensatedEvent, confirmUndos, notUndone, undone, type UndoResult } from '@closeloop/participant';
import { Inject, Injectable } from '@nestjs/common';

import { DEVICE_MANAGEMENT_CONNECTOR, DEVICE_REFUSAL, type DeviceManagementConnector } from '../device-management/device-management.connector';
import { complianceVerified, DEVICE_REPORTS } from './compliance.report';
import { type DeviceAssignment, DeviceAssignmentRepository } from './device-assignment.repository';
import { type ComplianceDecision, decideCompliance, NEW_HIRE_DEVICE } from './enrolment.domain';

type NewHire = RequestedOf<'new-hire'>;

const DEVICE = stepContracts({ ...DEVICE_REPORTS, step: NEW_HIRE_DEVICE.step, verified: ComplianceVerifiedV1, compensated: AssignmentCompensatedV1, evidence: complianceVerified });

const isMine = forStep(NEW_HIRE_DEVICE);
const journeyOf = (requestId: string, request: NewHire) => ({ requestId, employeeId: request.subject.employeeId, model: request.device.model });

const assignmentRecord = ({ cause, request }: StepAsk<NewHire>, result: ComplianceDecision, now: Date): DeviceAssignment => ({
  ...journeyOf(cause.requestId, request),
  ...(result.kind === 'verified' ? { assetTag: result.device.assetTag, serialNumber: result.device.serialNumber } : { assetTag: null, serialNumber: null }),
  ...conclusion(result),
  updatedAt: now,
});

@Injectable()
export class EnrolmentService {
  private readonly logger = createLogger(EnrolmentService.name);
  private readonly calls = boundedCalls();

  constructor(
    private readonly ports: ParticipantPorts,
    private readonly assignments: DeviceAssignmentRepository,
    @Inject(DEVICE_MANAGEMENT_CONNECTOR) private readonly devices: DeviceManagementConnector,
  ) {}

  /**
   * Assigns a device from stock, enrols it, reads its compliance back and reports the result,
   * in parallel with the identity and SaaS steps. One transaction per batch.
   */
  enrolDevices(events: ReadonlyArray<Requested<'new-hire'>>): Promise<void> {
    return this.run(requestAsks(events));
  }

  /** Assurance asks for another attempt: re-check device management, do what is missing, report again. */
  retry(events: ReadonlyArray<RetryOf<'new-hire'>>): Promise<void> {
    return this.run(retryAsks(events.filter(isMine)));
  }

  /**
   * Compensation undoes only what this journey did: the device assigned for this journey (never
   * another device the employee holds) goes back to stock, is read back, and the undo confirmed.
   */
  compensate(events: ReadonlyArray<CompensationOf<'new-hire'>>): Promise<void> {
    return stepTransaction(this.ports, events.filter(isMine), this.logger, async (tx, todo) => {
      await this.assignments.lock(tx, todo.map((e) => journeyOf(e.requestId, e.payload.request)));
      return confirmUndos(
        todo,
        this.logger,
        (event) => this.release(event.requestId, event.payload.request),
        async (event, { undone: what, assetTag }) => {
          const { subject, device } = event.payload.request;
          const now = this.ports.clock.now();
          await this.assignments.saveAll(tx, [{ requestId: event.requestId, employeeId: subject.employeeId, model: device.model, assetTag, serialNumber: null, status: 'compensated', failure: null, updatedAt: now }]);
          return compensatedEvent(DEVICE, event, what, this.ports);
        },
      );
    });
  }

  /** Once per journey and never after a compensation: a device of the model, enrolled, read back compliant. */
  private run(asks: ReadonlyArray<StepAsk<NewHire>>): Promise<void> {
    return stepTransaction(this.ports, asks, this.logger, async (tx, fresh) => {
      const statuses = await this.assignments.lock(tx, fresh.map((a) => journeyOf(a.cause.requestId, a.request)));
      const enrolled = await attemptSteps(this.calls, dueSteps(fresh, statuses, (status) => status), ({ ask }) => this.enrol(ask.cause.requestId, ask.request));
      await this.assignments.saveAll(tx, enrolled.map(({ ask, result }) => assignmentRecord(ask, result, this.ports.clock.now())));
      return outcomeEvents(DEVICE, enrolled, this.ports);
    });
  }

  /**
   * Assigns a device for this journey (the journey is the order): a retry finds the same device,
   * and a device the employee already holds is never taken for this journey's own.
   */
  private enrol(requestId: string, { device, subject }: NewHire): Promise<ComplianceDecision> {
    return DEVICE_REFUSAL.failsStep(async () => {
      const { assetTag } = await this.devices.assignForOrder(device.model, subject.employeeId, requestId);
      await this.devices.enrol(assetTag, subject.employeeId);
      return decideCompliance(device.model, subject.employeeId, await this.devices.readDevice(assetTag));
    });
  }

  /** The device assigned for this journey back in stock, unenrolled, read back. */
  private async release(requestId: string, { subject }: NewHire): Promise<UndoResult<{ assetTag: string | null }>> {
    const released = await this.devices.releaseForOrder(requestId, subject.employeeId);
    if (!released) return undone('no device had been assigned', { assetTag: null });
    const readBack = await this.devices.readDevice(released.assetTag);
    if (readBack && (readBack.assignedTo !== null || readBack.enrolled)) return notUndone(`device ${released.assetTag} still assigned after compensation`);
    return undone(`device ${released.assetTag} unenrolled and back in stock`, { assetTag: released.assetTag });
  }
}
