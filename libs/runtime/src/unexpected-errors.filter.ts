import { STATUS_CODES } from 'node:http';

import { clipText } from '@closeloop/messaging';
import { createLogger } from '@closeloop/observability';
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { type Observable, throwError } from 'rxjs';

/** Matches every thrown value but an `HttpException`, so this filter leaves those to Nest and the other filters. */
class NotAnHttpException {
  static [Symbol.hasInstance](value: unknown): boolean {
    return !(value instanceof HttpException);
  }
}

/**
 * PostgreSQL errors caused by the value a request carried: data exceptions (class 22: a NUL in
 * text 22021, a lone surrogate in jsonb 22P05, invalid text for a type 22P02, a date out of range
 * 22008, a number out of range 22003, invalid JSON text 22P02/2200N/22032) and program limits
 * (class 54: too large, too complex 54001). A last line of defence behind the validation.
 */
const INPUT_SQLSTATE = /^(22|54)[0-9A-Z]{3}$/;

export interface InputError {
  readonly status: number;
  readonly message: string;
}

/** A thrown value as text, even one that cannot be converted (an object without a prototype). */
const textOf = (value: unknown): string => {
  try {
    return String(value);
  } catch {
    return typeof value;
  }
};

const sqlStateOf = (error: unknown): { code: string; message: string } | undefined => {
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < 4; depth++) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && INPUT_SQLSTATE.test(code)) return { code, message: typeof message === 'string' ? message : '' };
    const inner = current as { driverError?: unknown; cause?: unknown };
    current = inner.driverError ?? inner.cause;
  }
  return undefined;
};

/**
 * The client error a thrown value stands for, when it is one: an error made for the client by
 * the HTTP stack (body-parser's `entity.too.large` 413, `entity.parse.failed` 400, an unsupported
 * charset 415: `expose` set, a 4xx status), or a PostgreSQL error caused by the input (400).
 */
export const inputErrorOf = (error: unknown): InputError | undefined => {
  const exposed = error as { status?: unknown; statusCode?: unknown; expose?: unknown; message?: unknown } | null;
  const status = exposed?.status ?? exposed?.statusCode;
  if (exposed?.expose === true && typeof status === 'number' && status >= 400 && status < 500) {
    return { status, message: clipText(textOf(exposed.message ?? STATUS_CODES[status]), 500) };
  }
  const sql = sqlStateOf(error);
  if (sql) return { status: 400, message: `the request holds a value the database cannot take (SQLSTATE ${sql.code}: ${clipText(sql.message, 200)})` };
  return undefined;
};

/**
 * The global filter for everything that reaches the HTTP layer and is not an `HttpException`:
 * an input error (see `inputErrorOf`) is answered with its 4xx and logged as a warning; anything
 * else is a fault of the server, logged with its stack and answered 500 without details.
 * `HttpException`s go past it, to the filters that catch them (the access-denial audit) and to
 * Nest's own answer.
 */
@Catch(NotAnHttpException)
export class UnexpectedErrorsFilter implements ExceptionFilter {
  private readonly logger = createLogger('HttpErrors');

  catch(exception: unknown, host: ArgumentsHost): void | Observable<never> {
    if (host.getType() !== 'http') return throwError(() => exception);
    const request = host.switchToHttp().getRequest<Request>();
    const response = host.switchToHttp().getResponse<Response>();
    const where = { method: request.method, path: clipText(request.path ?? request.url ?? '', 300) };
    const input = inputErrorOf(exception);
    if (input) {
      this.logger.warn({ ...where, status: input.status }, `request refused: ${input.message}`);
    } else {
      const err = exception instanceof Error ? { name: exception.name, message: exception.message, stack: exception.stack } : { message: clipText(textOf(exception), 1000) };
      this.logger.error({ ...where, err }, 'request failed');
    }
    if (response.headersSent) return;
    const status = input?.status ?? 500;
    response.status(status).json({ statusCode: status, error: STATUS_CODES[status], message: input?.message ?? 'Internal server error' });
  }
}
