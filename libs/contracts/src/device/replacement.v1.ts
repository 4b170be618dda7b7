import { z } from 'zod';

import { StepCompensatedPayloadSchema } from '../compensation';
import { defineEvent, type EventOf } from '../envelope';

/** The retired device is logged in asset management as retired (read back). */
export const AssetRetiredV1 = defineEvent(
  'device.asset.retired.v1',
  z.object({
    assetTag: z.string().min(1),
    state: z.literal('retired'),
    reason: z.string().min(1),
    retiredAt: z.iso.datetime({ offset: true }),
  }),
);
export type AssetRetiredV1 = EventOf<typeof AssetRetiredV1>;

/** The ITSM record and the asset records agree: the new device is assigned, the old one retired. */
export const RecordsReconciledV1 = defineEvent(
  'device.records.reconciled.v1',
  z.object({
    itsmRecordId: z.string().min(1),
    assignedAssetTag: z.string().min(1),
    retiredAssetTag: z.string().min(1),
    agree: z.literal(true),
    reconciledAt: z.iso.datetime({ offset: true }),
  }),
);
export type RecordsReconciledV1 = EventOf<typeof RecordsReconciledV1>;

/** Compensation of the retirement: the old asset is back in service (read back). */
export const RetirementCompensatedV1 = defineEvent('device.retirement.compensated.v1', StepCompensatedPayloadSchema);
export type RetirementCompensatedV1 = EventOf<typeof RetirementCompensatedV1>;

/** Compensation of the reconciliation: the ITSM record is set back to what it said before. */
export const ReconciliationCompensatedV1 = defineEvent('device.reconciliation.compensated.v1', StepCompensatedPayloadSchema);
export type ReconciliationCompensatedV1 = EventOf<typeof ReconciliationCompensatedV1>;
