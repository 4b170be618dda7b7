import { z } from 'zod';

/**
 * Worker events from the HR system (Workday), as the HR integration publishes them: one JSON
 * object per business process that completed for a worker. These are not Closeloop envelopes;
 * the shape is agreed with the HR integration team. The message key should be the worker's ID,
 * so one worker's events keep their order. Fields Closeloop does not use may be added freely
 * (unknown fields are ignored); removing or renaming a field is a breaking change and needs a
 * `.v2` topic.
 */
export const WORKDAY_WORKER_EVENTS_TOPIC = 'hr.workday.worker-events.v1';

/** A Workday ID (WID): 32 lower-case hex characters. */
const workdayId = z.string().regex(/^[0-9a-f]{32}$/, 'a Workday ID (WID): 32 lower-case hex characters');

/** A Workday reference: the instance's reference ID (e.g. `Job_Profile_ID`) and its descriptor. */
const WorkdayReferenceSchema = z.object({
  id: z.string().trim().min(1).max(128),
  descriptor: z.string().trim().min(1).max(256),
});

export const WorkdayPositionSchema = z.object({
  positionId: z.string().trim().min(1).max(64),
  /** `id` is the `Job_Profile_ID`, which the job-profile mapping table is keyed by. */
  jobProfile: WorkdayReferenceSchema,
  supervisoryOrganization: WorkdayReferenceSchema,
  location: WorkdayReferenceSchema,
});
export type WorkdayPosition = z.infer<typeof WorkdayPositionSchema>;

export const WorkdayWorkerSchema = z.object({
  /** The `Employee_ID` (or `Contingent_Worker_ID`): Closeloop's employee id. */
  workerId: z.string().trim().min(1).max(64),
  workerType: z.enum(['Employee', 'Contingent_Worker']),
  name: z.object({
    firstName: z.string().trim().min(1).max(100),
    lastName: z.string().trim().min(1).max(100),
    preferredName: z.string().trim().min(1).max(200).optional(),
  }),
  /** The primary work email address. */
  email: z.email(),
  position: WorkdayPositionSchema,
});
export type WorkdayWorker = z.infer<typeof WorkdayWorkerSchema>;

const eventFields = {
  /** The WID of the business process event: unique per event, the same on every redelivery. */
  eventId: workdayId,
  /** The tenant the event comes from. */
  tenant: z.string().trim().min(1).max(64),
  /** The day the hire or the job change takes effect. */
  effectiveDate: z.iso.date(),
  /** When the business process completed in Workday. */
  completedAt: z.iso.datetime({ offset: true }),
  worker: WorkdayWorkerSchema,
};

/** The Hire business process completed: a new worker, in their first position. */
export const WorkdayWorkerHiredSchema = z.object({
  eventType: z.literal('Worker_Hired'),
  ...eventFields,
});
export type WorkdayWorkerHired = z.infer<typeof WorkdayWorkerHiredSchema>;

/** The Change Job business process completed: `worker.position` is the new one, `previousPosition` the one left. */
export const WorkdayWorkerRoleChangedSchema = z.object({
  eventType: z.literal('Worker_Role_Changed'),
  ...eventFields,
  previousPosition: WorkdayPositionSchema,
});
export type WorkdayWorkerRoleChanged = z.infer<typeof WorkdayWorkerRoleChangedSchema>;

/** Every event on `hr.workday.worker-events.v1`, by `eventType`. */
export const WorkdayWorkerEventSchema = z.discriminatedUnion('eventType', [WorkdayWorkerHiredSchema, WorkdayWorkerRoleChangedSchema]);
export type WorkdayWorkerEvent = z.infer<typeof WorkdayWorkerEventSchema>;
