import { KafkaBatchServer } from '@closeloop/messaging';
import { createLogger, JsonNestLogger, tracingExports } from '@closeloop/observability';
import type { DynamicModule, INestApplication } from '@nestjs/common';

import { createHttpApp } from './http-input';


export interface RunServiceOptions {
  readonly name: string;
  readonly module: DynamicModule;
  readonly port: number;
  /** The address to listen on (HOST: 127.0.0.1 on a developer's machine, 0.0.0.0 in a container). */
  readonly host: string;
}

/**
 * Creates a hybrid Nest app (HTTP plus the Kafka batch consumer) and starts it consuming; the
 * caller decides where HTTP listens. Order: database migrated, topics created and outbox relay
 * running (app.init), then consumers. HTTP input is bounded and checked (`configureHttp`).
 */
export const createServiceApp = async (module: DynamicModule): Promise<INestApplication> => {
  const app = await createHttpApp(module, { logger: new JsonNestLogger() });
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
    await app.listen(options.port, options.host);
    logger.info({ host: options.host, port: options.port, tracesExported: tracingExports() }, `${options.name} ready`);
  } catch (error) {
    logger.fatal({ err: error instanceof Error ? { message: error.message, stack: error.stack } : String(error) }, `${options.name} failed to start`);
    process.exit(1);
  }
};
