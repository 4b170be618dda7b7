/* eslint-disable no-restricted-properties -- a Jest global set-up runs before any configuration is parsed, and Jest loads it
   without the @closeloop/* aliases; it does what libs/testing/src/global-setup.ts does, plus a fresh security database. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

import { Client } from 'pg';

import { resetTally } from './tally';

const ROOT = join(__dirname, '../../../..');

/** As `e2eDatabaseUrl('closeloop_security')` of libs/testing: DATABASE_URL's server, database closeloop_security<TEST_DB_SUFFIX>. */
const securityDatabaseUrl = (): URL => {
  const url = new URL(process.env['DATABASE_URL'] as string);
  url.pathname = `/closeloop_security${process.env['TEST_DB_SUFFIX'] ?? ''}`;
  return url;
};

/**
 * The broker (KAFKA_BROKERS, or the project's local one, started when it is not running) and
 * DATABASE_URL as for the integration tests; then the stage's own database is dropped, so every
 * run starts from nothing (the services create and migrate it again), and the tally is emptied.
 */
export default async function globalSetup(): Promise<void> {
  process.env['DATABASE_URL'] ??= 'postgres://postgres@127.0.0.1:5432/closeloop_test';
  if (!process.env['KAFKA_BROKERS']) {
    execFileSync('bash', [join(ROOT, 'tools/kafka/kafka.sh'), 'start'], { stdio: 'inherit' });
    process.env['KAFKA_BROKERS'] = '127.0.0.1:9092';
  }
  const database = securityDatabaseUrl();
  const name = database.pathname.slice(1);
  database.pathname = '/postgres';
  const client = new Client({ connectionString: database.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
  resetTally();
}
