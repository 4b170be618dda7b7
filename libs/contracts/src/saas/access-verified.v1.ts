import { z } from 'zod';

import { defineEvent, type EventOf } from '../envelope';

/** Every requested app was read back from the SaaS admin tool: the account is active and licensed. */
export const AccessVerifiedV1 = defineEvent(
  'saas.access.verified.v1',
  z.object({
    accountId: z.string().min(1),
    grants: z
      .array(
        z.object({
          app: z.string().min(1),
          role: z.string().min(1),
          licence: z.string().min(1),
          active: z.literal(true),
          licensed: z.literal(true),
        }),
      )
      .min(1),
    verifiedAt: z.iso.datetime({ offset: true }),
  }),
);
export type AccessVerifiedV1 = EventOf<typeof AccessVerifiedV1>;
