/*
 * In-memory fakes of the participant ports, for unit tests of step services (no Kafka, no
 * PostgreSQL). Imported by specs only, as `@closeloop/participant/testing`.
 */
export * from './in-memory-inbox.fake';
export * from './in-memory-journey-records.fake';
export * from './in-memory-outbox.fake';
export * from './in-memory-ports.fake';
export * from './in-memory-transactions.fake';
export * from './step-requests.fake';
