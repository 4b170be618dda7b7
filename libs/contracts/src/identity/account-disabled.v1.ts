import { z } from 'zod';

import { defineEvent, type EventOf } from '../envelope';

/**
 * A leaver's account, read back from the directory: disabled, in no group, no session left. What
 * it was in before is kept, so that a cancelled offboarding can give it back.
 */
export const AccountDisabledV1 = defineEvent(
  'identity.account.disabled.v1',
  z.object({
    accountId: z.string().min(1),
    employeeId: z.string().min(1),
    enabled: z.literal(false),
    groups: z.array(z.string()).length(0),
    removedGroups: z.array(z.string()),
    sessionsRevoked: z.number().int().min(0),
    activeSessions: z.literal(0),
    verifiedAt: z.iso.datetime({ offset: true }),
  }),
);
export type AccountDisabledV1 = EventOf<typeof AccountDisabledV1>;
