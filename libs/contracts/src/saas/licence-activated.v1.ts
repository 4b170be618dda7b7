import { z } from 'zod';

import { defineEvent, type EventOf } from '../envelope';

/** The SaaS admin tool, read back, reports the licence type and seat count active for the account. */
export const LicenceActivatedV1 = defineEvent(
  'saas.licence.activated.v1',
  z.object({
    app: z.string().min(1),
    accountId: z.string().min(1),
    licenceType: z.string().min(1),
    seats: z.number().int().positive(),
    active: z.literal(true),
    activatedAt: z.iso.datetime({ offset: true }),
  }),
);
export type LicenceActivatedV1 = EventOf<typeof LicenceActivatedV1>;
