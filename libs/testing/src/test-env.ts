export const TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/closeloop_test';

/**
 * The brokers and database the tests use (set by the global set-up), NODE_ENV=test, and
 * authentication settings that trust no key: a service built from them answers every
 * authenticated route 401 or 503 (no identity provider listens on port 9). A test that calls
 * such routes starts a test identity provider and passes its `env` over these.
 */
export const testEnv = () => ({
  NODE_ENV: 'test',
  KAFKA_BROKERS: process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092',
  DATABASE_URL: process.env['DATABASE_URL'] ?? TEST_DATABASE_URL,
  AUTH_ISSUER: 'urn:closeloop:no-identity-provider',
  AUTH_AUDIENCE: 'closeloop-intake',
  AUTH_JWKS_URL: 'http://127.0.0.1:9/no-identity-provider/jwks.json',
});

/**
 * Several suites can run side by side on one machine (each with its own broker through
 * KAFKA_BROKERS): E2E_PORT_OFFSET moves the services' HTTP ports, TEST_DB_SUFFIX renames the
 * databases the end-to-end tests create.
 */
export const e2ePort = (base: number): number => base + Number(process.env['E2E_PORT_OFFSET'] ?? 0);
export const e2eDatabaseUrl = (name: string): string => testEnv().DATABASE_URL.replace(/\/[^/]+$/, `/${name}${process.env['TEST_DB_SUFFIX'] ?? ''}`);
