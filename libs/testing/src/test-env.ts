export const TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/closeloop_test';

/** The brokers and database the tests use (set by the global set-up). */
export const testEnv = () => ({
  KAFKA_BROKERS: process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092',
  DATABASE_URL: process.env['DATABASE_URL'] ?? TEST_DATABASE_URL,
});

/**
 * Several suites can run side by side on one machine (each with its own broker through
 * KAFKA_BROKERS): E2E_PORT_OFFSET moves the services' HTTP ports, TEST_DB_SUFFIX renames the
 * databases the end-to-end tests create.
 */
export const e2ePort = (base: number): number => base + Number(process.env['E2E_PORT_OFFSET'] ?? 0);
export const e2eDatabaseUrl = (name: string): string => testEnv().DATABASE_URL.replace(/\/[^/]+$/, `/${name}${process.env['TEST_DB_SUFFIX'] ?? ''}`);
