/** Unit tests: no Kafka, no database. */
module.exports = { ...require('../../jest.preset'), displayName: 'device-domain', rootDir: __dirname, testMatch: ['<rootDir>/src/**/*.spec.ts'] };
