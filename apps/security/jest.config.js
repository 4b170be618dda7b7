/**
 * The security stage (tools/test-all.sh): each service built in-process in turn, on the real
 * broker and PostgreSQL (database closeloop_security, dropped first), attacked over HTTP and
 * through its topics: src/<service>.security-spec.ts, helpers in src/support/.
 */
const path = require('node:path');

module.exports = {
  ...require('../../jest.int.preset')(__dirname, 'security', ['<rootDir>/src/**/*.security-spec.ts']),
  globalSetup: path.join(__dirname, 'src/support/global-setup.ts'),
  globalTeardown: path.join(__dirname, 'src/support/global-teardown.ts'),
  testTimeout: 180000,
};
