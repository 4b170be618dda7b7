import { z } from 'zod';

import { defineEvent, type EventOf } from '../envelope';

/**
 * The directory was read back after an access change: every removed group is gone, every
 * granted group is present, and the account is enabled.
 */
export const DirectoryAccessChangedV1 = defineEvent(
  'identity.access.changed.v1',
  z.object({
    accountId: z.string().min(1),
    employeeId: z.string().min(1),
    removedGroups: z.array(z.string()),
    grantedGroups: z.array(z.string()),
    /** The account's groups as read back. */
    groups: z.array(z.string()),
    verifiedAt: z.iso.datetime({ offset: true }),
  }),
);
export type DirectoryAccessChangedV1 = EventOf<typeof DirectoryAccessChangedV1>;
