import { defineEvent, type EventOf } from '../envelope';
import { StepFailedPayloadSchema } from '../failure';

export const ComplianceFailedV1 = defineEvent('device.compliance.failed.v1', StepFailedPayloadSchema);
export type ComplianceFailedV1 = EventOf<typeof ComplianceFailedV1>;
