import type { AuthConfig } from './auth.config';

/** What the auth module of a service needs: its settings, and where it keeps the audit of refused calls. */
export interface AuthOptions {
  readonly config: AuthConfig;
  /** The service's name, e.g. `assurance`: the realm of its 401 challenges. */
  readonly service: string;
  /** The PostgreSQL schema the service owns; `<schema>.access_denials` holds the audit of refused calls. */
  readonly schema: string;
}

export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');
