/** The ITSM system's request item (e.g. a ServiceNow RITM) as the device domain sees it; closed once a leaver's offboarding is done. */
export type ItsmState = 'open' | 'fulfilled' | 'closed';

/** The fields of a request item the device domain keeps in step with asset management. */
export interface ItsmRecordValues {
  readonly state: ItsmState;
  /** The asset the requester now has. */
  readonly assignedAssetTag: string | null;
  /** The asset taken out of service. */
  readonly retiredAssetTag: string | null;
}

export interface ItsmRecord extends ItsmRecordValues {
  readonly recordId: string;
}

export interface ItsmConnector {
  /** Reads the request item; null when the ITSM system has no such record. */
  readRecord(recordId: string, employeeId: string): Promise<ItsmRecord | null>;
  /** Sets the request item's fields; repeating it changes nothing. */
  updateRecord(recordId: string, values: ItsmRecordValues, employeeId: string): Promise<void>;
  /**
   * Closes the request item, its other fields as they are; repeating it changes nothing. False
   * when the ITSM system has no such record: closing never opens one.
   */
  closeRecord(recordId: string, employeeId: string): Promise<boolean>;
}

export const ITSM_CONNECTOR = Symbol('ITSM_CONNECTOR');

/** The ITSM system refused the change; the reason is its own message. */
export class ItsmRejectedError extends Error {
  override name = 'ItsmRejectedError';
}
