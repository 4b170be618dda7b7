import { describeJsonProblem, findJsonProblem, type JsonProblem, MAX_JSON_DEPTH, unsafeTextProblem } from '@closeloop/messaging';
import {
  type ArgumentMetadata,
  BadRequestException,
  type DynamicModule,
  type LoggerService,
  type PipeTransform,
  type Type,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';

import { UnexpectedErrorsFilter } from './unexpected-errors.filter';

/** What an HTTP request of any Closeloop service may carry. */
export interface HttpInputLimits {
  /** A JSON body larger than this is refused with 413 naming the limit. */
  readonly maxBodyBytes: number;
  /** A JSON body nested deeper than this is refused with 400 (`{}` is one level). */
  readonly maxJsonDepth: number;
}

export const HTTP_INPUT_LIMITS: HttpInputLimits = { maxBodyBytes: 256 * 1024, maxJsonDepth: MAX_JSON_DEPTH };

/** The bodies the services read: JSON, and JSON with a structured suffix (SCIM's `application/scim+json`). */
const JSON_TYPES = ['application/json', 'application/*+json'];

const kilobytes = (bytes: number): string => (bytes % 1024 === 0 ? `${bytes / 1024} kB` : `${bytes} bytes`);

/** Whether the request carries a body (`Content-Length: 0`, as clients send on a bodiless POST, is none). */
const hasBody = (request: Request): boolean => request.get('transfer-encoding') !== undefined || Number(request.get('content-length') ?? 0) > 0;

/** A request with a body that is not JSON: 415 (a request without a body passes). */
const requireJsonBodies = (request: Request, _response: Response, next: NextFunction): void => {
  // `is` answers false for a body of another type, or of none declared.
  if (hasBody(request) && !request.is(JSON_TYPES)) {
    next(new UnsupportedMediaTypeException(`a request body must be JSON: send it with Content-Type: application/json (got ${JSON.stringify(request.get('content-type') ?? 'none')})`));
    return;
  }
  next();
};

/**
 * Rewords body-parser's refusals for the caller, keeping their type and status (the SCIM
 * simulator's error handler reads them): a body over the limit names the limit, a body that is
 * not JSON says so. Nest answers the first 413 via `UnexpectedErrorsFilter`, the second as 400.
 */
const describeBodyErrors =
  (limit: number) =>
  (error: unknown, _request: Request, _response: Response, next: NextFunction): void => {
    const parserError = error as { type?: unknown; message?: unknown; body?: unknown } | null;
    if (parserError?.type === 'entity.too.large') {
      parserError.message = `the request body is larger than the limit of ${kilobytes(limit)} (${limit} bytes)`;
    } else if (parserError?.type === 'entity.parse.failed') {
      const first = typeof parserError.body === 'string' ? parserError.body.trimStart()[0] : undefined;
      parserError.message =
        first !== undefined && first !== '{' && first !== '['
          ? 'the request body must be a JSON object or array'
          : `the request body is not valid JSON: ${String(parserError.message)}`;
    }
    next(error);
  };

/** The first decoded path segment PostgreSQL could not store, as `path[2]` (its index). */
const pathProblem = (path: string): JsonProblem | undefined => {
  const segments = path.split('/');
  for (const [index, segment] of segments.entries()) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      continue; // malformed percent-encoding: the router answers 400 itself
    }
    const problem = unsafeTextProblem(decoded);
    if (problem) return { path: `path[${index}]`, problem };
  }
  return undefined;
};

/**
 * 400 naming the field for a string anywhere in the body, the query string or the path that
 * PostgreSQL cannot store (a NUL character, a lone surrogate), or a body nested deeper than the
 * limit, before any route, guard or query sees it.
 */
const refuseUnsafeInput =
  (maxDepth: number) =>
  (request: Request, _response: Response, next: NextFunction): void => {
    const problem = findJsonProblem(request.body, 'body', maxDepth) ?? findJsonProblem(request.query, 'query', maxDepth) ?? pathProblem(request.path);
    if (problem) {
      next(new BadRequestException({ statusCode: 400, error: 'Bad Request', message: describeJsonProblem(problem), field: problem.path }));
      return;
    }
    next();
  };

/**
 * A query parameter a route reads as a string (`@Query('limit') limit?: string`) given more
 * than once (`?limit=1&limit=2` arrives as an array): 400 naming it, rather than an array where
 * the code expects a string.
 */
export class SingleQueryValuePipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type !== 'query' || !metadata.data || metadata.metatype !== String || value === undefined || typeof value === 'string') return value;
    throw new BadRequestException({
      statusCode: 400,
      error: 'Bad Request',
      message: `query.${metadata.data}: expected one value${Array.isArray(value) ? `, got ${value.length}` : ''}`,
      field: `query.${metadata.data}`,
    });
  }
}

/**
 * The input hygiene every service's HTTP side shares, set on an app created without Nest's own
 * body parser (see `createHttpApp`): bodies are JSON (415 otherwise) of at most `maxBodyBytes`
 * (413 naming the limit), valid (400), nested at most `maxJsonDepth` deep (400); no string in the
 * body, query or path holds a NUL or a lone surrogate (400 naming the field); a query parameter
 * read as a string comes once; and an error that is not an `HttpException` is a 4xx when the
 * input caused it, a logged 500 otherwise (`UnexpectedErrorsFilter`).
 */
export const configureHttp = (app: NestExpressApplication, limits: Partial<HttpInputLimits> = {}): NestExpressApplication => {
  const { maxBodyBytes, maxJsonDepth } = { ...HTTP_INPUT_LIMITS, ...limits };
  app.use(requireJsonBodies);
  app.useBodyParser('json', { limit: maxBodyBytes, type: JSON_TYPES, strict: true });
  app.use(describeBodyErrors(maxBodyBytes));
  app.use(refuseUnsafeInput(maxJsonDepth));
  app.useGlobalPipes(new SingleQueryValuePipe());
  app.useGlobalFilters(new UnexpectedErrorsFilter());
  return app;
};

export interface HttpAppOptions {
  readonly logger?: LoggerService | false;
  readonly limits?: Partial<HttpInputLimits>;
}

/**
 * A Nest app over Express with `configureHttp` applied and Nest's own body parser off (its limit
 * and its URL-encoded parser would come first); not initialised yet. What every service runs
 * (`createServiceApp`) and what tests of the HTTP side build.
 */
export const createHttpApp = async (module: Type<unknown> | DynamicModule, options: HttpAppOptions = {}): Promise<NestExpressApplication> => {
  const app = await NestFactory.create<NestExpressApplication>(module, { ...(options.logger === undefined ? {} : { logger: options.logger }), bodyParser: false });
  return configureHttp(app, options.limits);
};
