/** Integration tests against the real Kafka broker and PostgreSQL. */
module.exports = require('../../jest.int.preset')(__dirname, 'device-domain');
