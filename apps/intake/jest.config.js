/** Unit tests: no Kafka, no database. */
module.exports = { ...require('../../jest.preset'), displayName: 'intake', rootDir: __dirname, testMatch: ['<rootDir>/src/**/*.spec.ts'] };
