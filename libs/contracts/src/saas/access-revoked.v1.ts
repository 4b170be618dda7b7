import { z } from 'zod';

import { defineEvent, type EventOf } from '../envelope';

/**
 * A leaver's app access, read back from each SaaS admin tool: no active account, no role, no
 * licence left; the licences reclaimed are named.
 */
export const AccessRevokedV1 = defineEvent(
  'saas.access.revoked.v1',
  z.object({
    employeeId: z.string().min(1),
    apps: z.array(
      z.object({
        app: z.string().min(1),
        active: z.literal(false),
        roles: z.array(z.string()).length(0),
        reclaimedLicences: z.array(z.string()),
      }),
    ),
    verifiedAt: z.iso.datetime({ offset: true }),
  }),
);
export type AccessRevokedV1 = EventOf<typeof AccessRevokedV1>;
