import { z } from 'zod';

import { defineEvent, type EventOf } from '../envelope';

/** A device was assigned from stock, enrolled, and passed its compliance check. */
export const ComplianceVerifiedV1 = defineEvent(
  'device.compliance.verified.v1',
  z.object({
    assetTag: z.string().min(1),
    serialNumber: z.string().min(1),
    model: z.string().min(1),
    enrolled: z.literal(true),
    compliant: z.literal(true),
    checkedAt: z.iso.datetime({ offset: true }),
  }),
);
export type ComplianceVerifiedV1 = EventOf<typeof ComplianceVerifiedV1>;
