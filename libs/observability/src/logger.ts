import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';

let root: Logger = pino({
  level: 'info',
  base: undefined,
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label) => ({ level: label }) },
});

/** Sets up the process-wide JSON logger; call once from main.ts with the service name. */
export const configureLogging = (service: string, level: string): Logger => {
  root = pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
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
