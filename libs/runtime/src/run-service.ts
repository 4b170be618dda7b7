import { KafkaBatchServer } from '@closeloop/messaging';
import { createLogger,JsonNestLogger } from '@closeloop/observability';
import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

export interface RunServiceOptions {
  readonly name: string;
  readonly module: DynamicModule;
  readonly port: number;
  readonly host?: string;
}

/**
 * Starts a hybrid Nest app: the Kafka batch consumer plus HTTP (the API and health probes).
 * A failure to start is logged with its reason and exits non-zero.
 */
export const runService = async (options: RunServiceOptions): Promise<void> => {
  const logger = createLogger('Bootstrap');
  try {
    const app = await NestFactory.create(options.module, { logger: new JsonNestLogger() });
    app.enableShutdownHooks();
    await app.init(); // database migrated, topics created, outbox relay running: before consuming
    app.connectMicroservice({ strategy: app.get(KafkaBatchServer) });
    await app.startAllMicroservices();
    await app.listen(options.port, options.host ?? '0.0.0.0');
    logger.info({ port: options.port }, `${options.name} ready`);
  } catch (error) {
    logger.fatal({ err: error instanceof Error ? { message: error.message, stack: error.stack } : String(error) }, `${options.name} failed to start`);
    process.exit(1);
  }
};
