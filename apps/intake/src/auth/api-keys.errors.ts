export type ApiKeyErrorCode = 'API_KEY_NAME_TAKEN' | 'API_KEY_NOT_FOUND';

/** Failures of API key administration. */
export class ApiKeyError extends Error {
  constructor(
    readonly code: ApiKeyErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiKeyError';
  }
}
