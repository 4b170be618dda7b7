/** Unit tests: no Kafka, no database. */
module.exports = { ...require('../../jest.preset'), displayName: 'facilities-domain', rootDir: __dirname, testMatch: ['<rootDir>/src/**/*.spec.ts'] };
