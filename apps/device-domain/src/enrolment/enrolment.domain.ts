import type { StepFailureCode } from '@closeloop/contracts';
import { NEW_HIRE_V1, ownStep } from '@closeloop/contracts';

import type { DeviceState } from '../device-management/device-management.connector';

/** The device step of a new-hire journey (NEW_HIRE_V1). */
export const NEW_HIRE_DEVICE = ownStep('device', NEW_HIRE_V1, 'device');

export type ComplianceDecision =
  | { readonly kind: 'verified'; readonly device: DeviceState }
  | { readonly kind: 'failed'; readonly code: StepFailureCode; readonly reason: string };

/**
 * The device step is verified only when MDM, read back, shows the device of the requested
 * model assigned to the new hire, enrolled and compliant.
 */
export const decideCompliance = (model: string, employeeId: string, device: DeviceState | null): ComplianceDecision => {
  if (!device) return { kind: 'failed', code: 'VERIFICATION_MISMATCH', reason: 'device management reported success but the device is not there' };
  const problems: string[] = [];
  if (device.model !== model) problems.push(`model ${device.model} instead of ${model}`);
  if (device.assignedTo !== employeeId) problems.push(`assigned to ${device.assignedTo ?? 'nobody'}`);
  if (!device.enrolled) problems.push('not enrolled');
  if (!device.compliant) return { kind: 'failed', code: 'NOT_COMPLIANT', reason: ['device failed its compliance check', ...problems].join('; ') };
  return problems.length > 0
    ? { kind: 'failed', code: 'VERIFICATION_MISMATCH', reason: `read-back disagrees: ${problems.join('; ')}` }
    : { kind: 'verified', device };
};
