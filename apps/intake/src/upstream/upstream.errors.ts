import { TerminalError } from '@closeloop/messaging';

import type { IntakeError } from '../journeys/journeys.errors';

export type UpstreamErrorCode = 'UPSTREAM_RECORD_INVALID' | 'UPSTREAM_REQUEST_REFUSED';

/**
 * An upstream record intake will not act on: malformed, unmappable, or refused by intake. The
 * transport dead-letters the message with the message of the error as the reason.
 */
export class UpstreamRecordError extends TerminalError {
  constructor(code: UpstreamErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'UpstreamRecordError';
  }
}

const assertNever = (value: never): never => {
  throw new Error(`unexpected intake error code ${String(value)}`);
};

/**
 * Why intake refused the journey request of a valid upstream record. Every refusal of `submit`
 * is final for that record (retrying the same record cannot succeed), so each is dead-lettered.
 */
export const refusal = (record: string, error: IntakeError): UpstreamRecordError => {
  switch (error.code) {
    case 'SUBJECT_ALREADY_ONBOARDING':
    case 'INVALID_REQUEST':
    case 'CALLER_UNKNOWN':
    case 'NO_ACTIVE_DEFINITION':
    case 'DEFINITION_NOT_ACTIVE':
    case 'JOURNEY_NOT_FOUND':
    case 'CANNOT_CANCEL':
      return new UpstreamRecordError('UPSTREAM_REQUEST_REFUSED', `${record}: intake refused the journey request (${error.code}): ${error.message}`, { cause: error });
    case 'IDEMPOTENCY_KEY_REUSED':
      // The same upstream record, mapped to another request than the one it started: the record
      // changed after its journey started, or the mapping table did. The journey is not changed.
      return new UpstreamRecordError(
        'UPSTREAM_REQUEST_REFUSED',
        `${record}: already started a journey with a different request; changes to a record after its journey started are not applied (${error.code})`,
        { cause: error },
      );
    default:
      return assertNever(error.code);
  }
};
