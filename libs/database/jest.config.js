module.exports = { ...require('../../jest.preset'), displayName: 'database', rootDir: __dirname, testMatch: ['<rootDir>/src/**/*.spec.ts'] };
