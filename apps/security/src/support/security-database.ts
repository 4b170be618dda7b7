import { e2eDatabaseUrl } from '@closeloop/testing';

/** The security stage's own database (dropped at the start of the stage by the global set-up), on DATABASE_URL's server. */
export const SECURITY_DATABASE_URL = e2eDatabaseUrl('closeloop_security');
