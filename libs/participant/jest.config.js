module.exports = { ...require('../../jest.preset'), displayName: 'participant', rootDir: __dirname, testMatch: ['<rootDir>/src/**/*.spec.ts'] };
