export const TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/closeloop_test';

/** The brokers and database the tests use (set by the global set-up). */
export const testEnv = () => ({
  KAFKA_BROKERS: process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092',
  DATABASE_URL: process.env['DATABASE_URL'] ?? TEST_DATABASE_URL,
});
