/**
 * Integration tests: real Kafka and PostgreSQL. The global set-up starts the project's broker
 * once (or uses KAFKA_BROKERS) and points DATABASE_URL at the test database. Tests run in band.
 */
const path = require('node:path');

module.exports = (rootDir, displayName, testMatch = ['<rootDir>/test/integration/**/*.int-spec.ts']) => ({
  ...require('./jest.preset'),
  displayName,
  rootDir,
  testMatch,
  globalSetup: path.join(__dirname, 'libs/testing/src/global-setup.ts'),
  maxWorkers: 1,
  testTimeout: 60000,
});
