import { z } from 'zod';

import { StepCompensatedPayloadSchema } from '../compensation';
import { defineEvent, type EventOf } from '../envelope';
import { StepFailedPayloadSchema } from '../failure';

/** The badge, read back from the physical access control system: active, with these zones. */
export const BadgeGrantedV1 = defineEvent(
  'facilities.badge.granted.v1',
  z.object({
    badgeId: z.string().min(1),
    employeeId: z.string().min(1),
    active: z.literal(true),
    zones: z.array(z.string()).min(1),
    verifiedAt: z.iso.datetime({ offset: true }),
  }),
);
export type BadgeGrantedV1 = EventOf<typeof BadgeGrantedV1>;

/** A leaver's badges, read back: none of the employee's badges opens a door any more. */
export const BadgeRevokedV1 = defineEvent(
  'facilities.badge.revoked.v1',
  z.object({
    employeeId: z.string().min(1),
    revokedBadges: z.array(z.string()),
    activeBadges: z.array(z.string()).length(0),
    verifiedAt: z.iso.datetime({ offset: true }),
  }),
);
export type BadgeRevokedV1 = EventOf<typeof BadgeRevokedV1>;

/** A badge step failed (the access control system refused it, or its read-back disagrees). */
export const BadgeFailedV1 = defineEvent('facilities.badge.failed.v1', StepFailedPayloadSchema);
export type BadgeFailedV1 = EventOf<typeof BadgeFailedV1>;

/** facilities undid its step: a granted badge deactivated, a revoked badge active again (read back). */
export const BadgeCompensatedV1 = defineEvent('facilities.badge.compensated.v1', StepCompensatedPayloadSchema);
export type BadgeCompensatedV1 = EventOf<typeof BadgeCompensatedV1>;
