import { ForbiddenException, HttpStatus, ServiceUnavailableException, UnauthorizedException } from '@nestjs/common';

/** Why a caller could not be authenticated (401). */
export type AuthenticationFailure =
  | 'MISSING_CREDENTIALS'
  | 'MALFORMED_AUTHORIZATION'
  | 'MALFORMED_TOKEN'
  | 'ALGORITHM_NOT_ACCEPTED'
  | 'BAD_SIGNATURE'
  | 'WRONG_ISSUER'
  | 'WRONG_AUDIENCE'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_NOT_YET_VALID'
  | 'INVALID_CLAIMS'
  | 'UNKNOWN_API_KEY'
  | 'REVOKED_API_KEY';

/** Why an authenticated caller may not do what it asked (403). `FORBIDDEN`: a 403 raised without a reason of its own. */
/** `NOT_ASSIGNEE`: an approval task of a group the approver is not in. */
export type AccessDenialReason = 'MISSING_ROLE' | 'NO_ROLES_DECLARED' | 'NOT_OWNER' | 'OWN_REQUEST' | 'NOT_ASSIGNEE' | 'FORBIDDEN';

/** Coded failures of the authentication services; the guard turns them into HTTP answers. */
export type AuthErrorCode = AuthenticationFailure | 'IDENTITY_PROVIDER_UNAVAILABLE';

export class AuthError extends Error {
  constructor(
    readonly code: AuthErrorCode,
    message: string,
    /** Who it was, when that much is proven (a signed but expired token, a revoked key). */
    readonly who: { kind: 'user' | 'api-key'; id: string } | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AuthError';
  }
}

/** 401 with its reason; `who` is recorded in the access-denial audit when known. */
export class AuthenticationFailed extends UnauthorizedException {
  constructor(
    readonly reason: AuthenticationFailure,
    message: string,
    readonly who: AuthError['who'] = null,
  ) {
    super({ statusCode: HttpStatus.UNAUTHORIZED, error: 'Unauthorized', reason, message });
  }
}

/** 403 with its reason. Thrown by the guard and by the helpers in access.ts; audited like every 403. */
export class AccessDenied extends ForbiddenException {
  constructor(
    readonly reason: Exclude<AccessDenialReason, 'FORBIDDEN'>,
    message: string,
  ) {
    super({ statusCode: HttpStatus.FORBIDDEN, error: 'Forbidden', reason, message });
  }
}

/** The HTTP answer to a coded failure. */
export const toHttpException = (error: AuthError): AuthenticationFailed | ServiceUnavailableException => {
  switch (error.code) {
    case 'IDENTITY_PROVIDER_UNAVAILABLE':
      return new ServiceUnavailableException({ statusCode: HttpStatus.SERVICE_UNAVAILABLE, error: 'Service Unavailable', reason: error.code, message: error.message });
    case 'MISSING_CREDENTIALS':
    case 'MALFORMED_AUTHORIZATION':
    case 'MALFORMED_TOKEN':
    case 'ALGORITHM_NOT_ACCEPTED':
    case 'BAD_SIGNATURE':
    case 'WRONG_ISSUER':
    case 'WRONG_AUDIENCE':
    case 'TOKEN_EXPIRED':
    case 'TOKEN_NOT_YET_VALID':
    case 'INVALID_CLAIMS':
    case 'UNKNOWN_API_KEY':
    case 'REVOKED_API_KEY':
      return new AuthenticationFailed(error.code, error.message, error.who);
    default:
      return assertNever(error.code);
  }
};

const assertNever = (value: never): never => {
  throw new Error(`unhandled auth error code ${String(value)}`);
};
