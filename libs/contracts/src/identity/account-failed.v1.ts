import { defineEvent, type EventOf } from '../envelope';
import { StepFailedPayloadSchema } from '../failure';

export const AccountFailedV1 = defineEvent('identity.account.failed.v1', StepFailedPayloadSchema);
export type AccountFailedV1 = EventOf<typeof AccountFailedV1>;
