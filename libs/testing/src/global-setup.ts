import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

import { TEST_DATABASE_URL } from './test-env';

const ROOT = join(__dirname, '../../..');

/**
 * Jest global set-up for integration and end-to-end tests: uses the cluster at KAFKA_BROKERS,
 * or starts the project's local broker (a no-op when the test run already started it), and
 * points DATABASE_URL at the test database.
 */
export default function globalSetup(): void {
  process.env['DATABASE_URL'] ??= TEST_DATABASE_URL;
  if (!process.env['KAFKA_BROKERS']) {
    execFileSync('bash', [join(ROOT, 'tools/kafka/kafka.sh'), 'start'], { stdio: 'inherit' });
    process.env['KAFKA_BROKERS'] = '127.0.0.1:9092';
  }
}
