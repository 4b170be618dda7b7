/** End-to-end: all five services as separate processes, real Kafka and PostgreSQL, driven through HTTP and topics. */
module.exports = { ...require('../../jest.int.preset')(__dirname, 'e2e', ['<rootDir>/src/**/*.e2e-spec.ts']), testTimeout: 120000 };
