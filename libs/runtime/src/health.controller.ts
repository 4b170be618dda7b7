import { errorMessage } from '@closeloop/database';
import { Controller, Get, HttpCode, Inject, ServiceUnavailableException } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';

const withTimeout = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer in ${ms} ms`)), ms))]);

/** `/health/live`: the process runs. `/health/ready`: PostgreSQL and Kafka both answer. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(Kafka) private readonly kafka: Kafka,
  ) {}

  @Get('live')
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(): Promise<{ status: 'ok'; checks: Record<string, string> }> {
    const checks: Record<string, string> = {};
    let healthy = true;
    try {
      await withTimeout(this.dataSource.query('SELECT 1'), 2000, 'PostgreSQL');
      checks['postgres'] = 'ok';
    } catch (error) {
      healthy = false;
      checks['postgres'] = errorMessage(error);
    }
    const admin = this.kafka.admin();
    try {
      await withTimeout(
        admin.connect().then(() => admin.describeCluster()),
        3000,
        'Kafka',
      );
      checks['kafka'] = 'ok';
    } catch (error) {
      healthy = false;
      checks['kafka'] = errorMessage(error);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    if (!healthy) throw new ServiceUnavailableException({ status: 'unavailable', checks });
    return { status: 'ok', checks };
  }
}
