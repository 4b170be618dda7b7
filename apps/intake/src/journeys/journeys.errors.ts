export type IntakeErrorCode = 'IDEMPOTENCY_KEY_REUSED' | 'NO_JOURNEY_DEFINITION' | 'JOURNEY_NOT_FOUND' | 'CANNOT_CANCEL' | 'SUBJECT_ALREADY_ONBOARDING';

export class IntakeError extends Error {
  constructor(
    readonly code: IntakeErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'IntakeError';
  }
}
