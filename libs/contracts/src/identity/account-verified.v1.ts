import { z } from 'zod';

import { defineEvent, type EventOf } from '../envelope';

/** The directory was read back and agrees: the account exists, is enabled and is in every group. */
export const AccountVerifiedV1 = defineEvent(
  'identity.account.verified.v1',
  z.object({
    accountId: z.string().min(1),
    employeeId: z.string().min(1),
    enabled: z.literal(true),
    groups: z.array(z.string()),
    verifiedAt: z.iso.datetime({ offset: true }),
  }),
);
export type AccountVerifiedV1 = EventOf<typeof AccountVerifiedV1>;
