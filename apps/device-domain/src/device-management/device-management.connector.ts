/** Device management (MDM and asset stock) as the device domain sees it. */
export interface DeviceState {
  readonly assetTag: string;
  readonly serialNumber: string;
  readonly model: string;
  readonly assignedTo: string | null;
  readonly enrolled: boolean;
  readonly compliant: boolean;
}

export interface DeviceManagementConnector {
  /** Assigns a device of the model to the employee, or returns the one already assigned. */
  assignFromStock(model: string, employeeId: string): Promise<{ assetTag: string; serialNumber: string }>;
  /** Enrols the device in MDM; MDM then evaluates its compliance policy. */
  enrol(assetTag: string, employeeId: string): Promise<void>;
  /** Reads the device's enrolment and compliance state back from MDM. */
  readDevice(assetTag: string): Promise<DeviceState | null>;
  /** Compensation: unenrols the employee's device of the model and returns it to stock; null when none was assigned. */
  releaseDevice(model: string, employeeId: string): Promise<{ assetTag: string } | null>;
}

export const DEVICE_MANAGEMENT_CONNECTOR = Symbol('DEVICE_MANAGEMENT_CONNECTOR');

/** Device management refused the change; the reason is its own message. */
export class DeviceManagementRejectedError extends Error {
  override name = 'DeviceManagementRejectedError';
}
