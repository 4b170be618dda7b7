export type IntakeErrorCode =
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'NO_ACTIVE_DEFINITION'
  | 'DEFINITION_NOT_ACTIVE'
  | 'JOURNEY_NOT_FOUND'
  | 'CANNOT_CANCEL'
  | 'SUBJECT_ALREADY_ONBOARDING'
  | 'INVALID_REQUEST'
  | 'CALLER_UNKNOWN';

/** What a refusal names besides its message: the fields at fault, or the journey that owns what was asked for. */
export interface IntakeErrorDetails {
  readonly issues?: ReadonlyArray<{ readonly field: string; readonly message: string }>;
  readonly ownerRequestId?: string;
}

export class IntakeError extends Error {
  readonly details: IntakeErrorDetails;

  constructor(
    readonly code: IntakeErrorCode,
    message: string,
    options?: { cause?: unknown; details?: IntakeErrorDetails },
  ) {
    super(message, options);
    this.name = 'IntakeError';
    this.details = options?.details ?? {};
  }
}
