import { defineEvent, type EventOf } from '../envelope';
import { StepFailedPayloadSchema } from '../failure';

export const AccessFailedV1 = defineEvent('saas.access.failed.v1', StepFailedPayloadSchema);
export type AccessFailedV1 = EventOf<typeof AccessFailedV1>;
