import { Public } from '@closeloop/auth';
import { errorMessage } from '@closeloop/database';
import { describeStuck, KafkaBatchServer } from '@closeloop/messaging';
import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { KafkaAdmin, withTimeout } from './kafka-admin';

type Checks = Record<string, string>;

/**
 * `/health/live`: the process answers and its Kafka consumer has not crashed for good (kafkajs
 * gave up on it: only a restart helps), so a liveness probe restarts the pod.
 * `/health/ready`: PostgreSQL answers `SELECT 1` (2 s), the Kafka cluster answers a metadata
 * request (`describeCluster`, 3 s), and the consumer is not crashed or stopped, nor stuck on a
 * partition (the same offset failing again and again, or not committed for longer than the
 * threshold: see `KafkaBatchServer.stuckPartitions`), which it names with the offset and since
 * when. A failing check answers 503 with each check's result: `ok` or the reason. A stuck
 * partition does not fail `/health/live`: a restart would not get past the offset either.
 */
@Controller('health')
@Public('probes of the orchestrator: they say only whether the service, its database and its broker are up')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly kafka: KafkaAdmin,
    private readonly server: KafkaBatchServer,
  ) {}

  @Get('live')
  live(): { status: 'ok'; checks: Checks } {
    const consumer = this.consumerCheck('crashed');
    if (consumer !== 'ok') throw new ServiceUnavailableException({ status: 'unavailable', checks: { consumer } });
    return { status: 'ok', checks: { consumer } };
  }

  @Get('ready')
  async ready(): Promise<{ status: 'ok'; checks: Checks }> {
    const [postgres, kafka] = await Promise.all([
      withTimeout(this.dataSource.query('SELECT 1'), 2000, 'SELECT 1').then(
        () => 'ok',
        (error: unknown) => `PostgreSQL: ${errorMessage(error)}`,
      ),
      this.kafka.run('the cluster', 3000, (admin) => admin.describeCluster()).then(
        (cluster) => (cluster.brokers.length > 0 ? 'ok' : 'Kafka: the cluster has no brokers'),
        (error: unknown) => `Kafka: ${errorMessage(error)}`,
      ),
    ]);
    // Rejoining: kafkajs gave up on the consumer and a new one is joining the group (not ready, still alive).
    const checks: Checks = { postgres, kafka, consumer: this.consumerCheck('crashed', 'stopped', 'rejoining') };
    const stuck = this.server.stuckPartitions();
    if (checks['consumer'] === 'ok' && stuck.length > 0) checks['consumer'] = `consumer stuck: ${describeStuck(stuck)}`;
    if (Object.values(checks).some((check) => check !== 'ok')) throw new ServiceUnavailableException({ status: 'unavailable', checks });
    return { status: 'ok', checks };
  }

  private consumerCheck(...failing: string[]): string {
    const { state, error, attempt } = this.server.consumerHealth();
    return failing.includes(state) ? `consumer ${state}${attempt ? ` (attempt ${attempt})` : ''}${error ? `: ${error}` : ''}` : 'ok';
  }
}
