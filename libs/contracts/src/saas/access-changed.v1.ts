import { z } from 'zod';

import { defineEvent, type EventOf } from '../envelope';

/** Read back from each SaaS admin tool: the removed apps no longer know the account; the granted ones have it active and licensed. */
export const AppAccessChangedV1 = defineEvent(
  'saas.access.changed.v1',
  z.object({
    accountId: z.string().min(1),
    removedApps: z.array(z.string()),
    grants: z.array(z.object({ app: z.string(), role: z.string(), licence: z.string(), active: z.literal(true) })),
    verifiedAt: z.iso.datetime({ offset: true }),
  }),
);
export type AppAccessChangedV1 = EventOf<typeof AppAccessChangedV1>;
