import { ComplianceFailedV1, type ComplianceVerifiedV1 } from '@closeloop/contracts';

import type { DeviceState } from '../device-management/device-management.connector';

/** How every device step reports a failure: on the compliance topic, with the step's name. */
export const DEVICE_REPORTS = { producer: 'device-domain', failed: ComplianceFailedV1 };

/** The device, read back from device management, as `device.compliance.verified` reports it: enrolled and compliant. */
export const complianceVerified = ({ device }: { readonly device: DeviceState }, _subject: unknown, at: string): ComplianceVerifiedV1['payload'] => ({
  assetTag: device.assetTag,
  serialNumber: device.serialNumber,
  model: device.model,
  enrolled: true,
  compliant: true,
  checkedAt: at,
});
