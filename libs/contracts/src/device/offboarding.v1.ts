import { z } from 'zod';

import { StepCompensatedPayloadSchema } from '../compensation';
import { defineEvent, type EventOf } from '../envelope';

/** A leaver's devices, read back from asset management: each logged as returned (none may be left assigned). */
export const ReturnLoggedV1 = defineEvent(
  'device.return.logged.v1',
  z.object({
    employeeId: z.string().min(1),
    assets: z.array(z.object({ assetTag: z.string().min(1), state: z.literal('returned') })),
    stillAssigned: z.array(z.string()).length(0),
    loggedAt: z.iso.datetime({ offset: true }),
  }),
);
export type ReturnLoggedV1 = EventOf<typeof ReturnLoggedV1>;

/** Compensation of the return: the assets are assigned to the employee again (read back). */
export const ReturnCompensatedV1 = defineEvent('device.return.compensated.v1', StepCompensatedPayloadSchema);
export type ReturnCompensatedV1 = EventOf<typeof ReturnCompensatedV1>;

/** The leaver's ITSM record, read back: closed. A closed record is not reopened by a machine. */
export const ItsmRecordClosedV1 = defineEvent(
  'device.itsm-record.closed.v1',
  z.object({
    itsmRecordId: z.string().min(1),
    state: z.literal('closed'),
    closedAt: z.iso.datetime({ offset: true }),
  }),
);
export type ItsmRecordClosedV1 = EventOf<typeof ItsmRecordClosedV1>;
