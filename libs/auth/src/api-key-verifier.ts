import type { Principal } from './roles';

/**
 * Checks an `Authorization: ApiKey <key>` credential. Only a service that issues API keys (intake,
 * for the upstream HR and ITSM systems) provides one, under this token, from a global module;
 * elsewhere an API key is refused with a 401 that says to use a bearer token.
 */
export interface ApiKeyVerifier {
  authenticate(key: string): Promise<Principal>;
}

export const API_KEY_VERIFIER = Symbol('API_KEY_VERIFIER');

/** Whether the service takes API keys (a verifier is provided): its 401 challenges offer the scheme. */
export const API_KEYS_OFFERED = Symbol('API_KEYS_OFFERED');
