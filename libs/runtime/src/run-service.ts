import { KafkaBatchServer } from '@closeloop/messaging';
import { createLogger, JsonNestLogger, tracingExports } from '@closeloop/observability';
import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

export interface RunServiceOptions {
  readonly name: string;
  readonly module: DynamicModule;
  readonly port: number;
  readonly host?: string;
}

/**
 * Creates a hybrid Nest app (HTTP plus the Kafka batch consumer) and starts it consuming; the
 * caller decides where HTTP listens. Order: database migrated, topics created and outbox relay
 * running (app.init), then consumers.
 */
export const createServiceApp = async (module: DynamicModule): Promise<INestApplication> => {
  const app = await NestFactory.create(module, { logger: new JsonNestLogger() });
  app.enableShutdownHooks();
  await app.init();
  app.connectMicroservice({ strategy: app.get(KafkaBatchServer) });
  await app.startAllMicroservices();
  return app;
};

/** Starts a service; a failure to start is logged with its reason and exits non-zero. */
export const runService = async (options: RunServiceOptions): Promise<void> => {
  const logger = createLogger('Bootstrap');
  try {
    const app = await createServiceApp(options.module);
    await app.listen(options.port, options.host ?? '0.0.0.0');
    logger.info({ port: options.port, tracesExported: tracingExports() }, `${options.name} ready`);
  } catch (error) {
    logger.fatal({ err: error instanceof Error ? { message: error.message, stack: error.stack } : String(error) }, `${options.name} failed to start`);
    process.exit(1);
  }
};
