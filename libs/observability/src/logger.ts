import type { LoggerService } from '@nestjs/common';
import { context } from '@opentelemetry/api';
import pino, { type Logger } from 'pino';

import { messageContextOfJourney, soleJourneyOfScope, spanContextOf } from './trace-context';

/**
 * Trace and journey fields of a log line. A line that names a journey (`requestId`) gets the
 * trace of that journey's message in the batch being handled, since a batch handler works on
 * several journeys at once; any other line gets the active span's. A line written while a batch
 * of a single journey is handled gets that journey's `requestId` too.
 */
export const traceFields = (merge: object): Record<string, string> => {
  const named = (merge as { requestId?: unknown }).requestId;
  const requestId = typeof named === 'string' ? named : soleJourneyOfScope();
  const spanContext = spanContextOf(messageContextOfJourney(requestId) ?? context.active());
  const fields: Record<string, string> = {};
  if (requestId && typeof named !== 'string') fields['requestId'] = requestId;
  if (spanContext) {
    fields['traceId'] = spanContext.traceId;
    fields['spanId'] = spanContext.spanId;
  }
  return fields;
};

const options = (level: string, base: Record<string, string> | undefined): pino.LoggerOptions => ({
  level,
  base,
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label) => ({ level: label }) },
  mixin: traceFields,
});

let root: Logger = pino(options('info', undefined));

/** Sets up the process-wide JSON logger; call once from main.ts with the service name. */
export const configureLogging = (service: string, level: string): Logger => {
  root = pino(options(level, { service }));
  return root;
};

/** A logger for one class: every line carries `context`. */
export const createLogger = (context: string): Logger => root.child({ context });

/** Routes Nest's own log lines through the JSON logger. */
export class JsonNestLogger implements LoggerService {
  private readonly logger = createLogger('Nest');
  log(message: unknown, context?: string): void {
    this.logger.info({ nestContext: context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ nestContext: context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ nestContext: context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ nestContext: context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ nestContext: context }, String(message));
  }
}
