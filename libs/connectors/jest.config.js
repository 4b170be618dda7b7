module.exports = { ...require('../../jest.preset'), displayName: 'connectors', rootDir: __dirname, testMatch: ['<rootDir>/src/**/*.spec.ts'] };
