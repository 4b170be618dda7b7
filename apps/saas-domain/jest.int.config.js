/** Integration tests against the real PostgreSQL (and Kafka, through the global set-up). */
module.exports = require('../../jest.int.preset')(__dirname, 'saas-domain');
