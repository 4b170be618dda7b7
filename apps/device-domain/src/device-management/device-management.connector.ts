import { targetRefusal } from '@closeloop/participant';

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
  /** Enrols the device in MDM; MDM then evaluates its compliance policy. */
  enrol(assetTag: string, employeeId: string): Promise<void>;
  /** Reads the device's enrolment and compliance state back from MDM. */
  readDevice(assetTag: string): Promise<DeviceState | null>;

  /**
   * Assigns a device of the model from stock to the employee for one order (a journey: a new hire
   * or a replacement), or returns the one already assigned for that order. The employee may hold
   * another device of the same model meanwhile (the one being replaced, or one from before): it is
   * never taken for the order.
   */
  assignForOrder(model: string, employeeId: string, orderRef: string): Promise<{ assetTag: string; serialNumber: string }>;
  /** Compensation: unenrols the device assigned for the order and returns it to stock; null when there is none. */
  releaseForOrder(orderRef: string, employeeId: string): Promise<{ assetTag: string } | null>;
  /** Reads the asset's record back from asset management. */
  readAsset(assetTag: string): Promise<AssetRecord | null>;
  /** Logs the asset as retired, with the reason and the order that retired it; an asset already retired is left as it is. */
  retireAsset(assetTag: string, reason: string, orderRef: string, employeeId: string): Promise<void>;
  /** Compensation: puts an asset the order retired back in service with its last assignee; anything else is left alone. */
  returnToService(assetTag: string, orderRef: string, employeeId: string): Promise<void>;
  /** Reads the assets asset management has assigned to the employee, in asset-tag order. */
  assetsAssignedTo(employeeId: string): Promise<AssetRecord[]>;
  /**
   * Logs the asset, assigned to the employee, as returned by the order (a leaver's offboarding);
   * an asset already returned, or not in the employee's hands, is left as it is.
   */
  logReturned(assetTag: string, orderRef: string, employeeId: string): Promise<void>;
  /** Compensation: assigns an asset the order logged as returned to the employee again; anything else is left alone. */
  assignAgain(assetTag: string, orderRef: string, employeeId: string): Promise<void>;
}

export type AssetStatus = 'in_stock' | 'assigned' | 'retired' | 'returned';

/** An asset as asset management records it. A retired or returned asset keeps its last assignee. */
export interface AssetRecord {
  readonly assetTag: string;
  readonly serialNumber: string;
  readonly model: string;
  readonly status: AssetStatus;
  readonly assignedTo: string | null;
  readonly retiredReason: string | null;
  /** The order (journey) that retired it. */
  readonly retiredFor: string | null;
  /** The order (journey) that logged it as returned. */
  readonly returnedFor: string | null;
}

export const DEVICE_MANAGEMENT_CONNECTOR = Symbol('DEVICE_MANAGEMENT_CONNECTOR');

/** Device management refused the change; the reason is its own message. */
export class DeviceManagementRejectedError extends Error {
  override name = 'DeviceManagementRejectedError';
}

/** Device management's refusals: a step's failure, not a reason to try the batch again. */
export const DEVICE_REFUSAL = targetRefusal(DeviceManagementRejectedError);
