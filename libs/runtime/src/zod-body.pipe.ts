import { BadRequestException, ParseUUIDPipe, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';


/** Validates a value against a schema; 400 names every bad field (`root` when the value itself is wrong). */
class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(
    private readonly schema: S,
    private readonly root: string,
  ) {}

  transform(value: unknown): z.infer<S> {
    const result = this.schema.safeParse(value);
    if (result.success) return result.data;
    const issues = result.error.issues.map((issue) => ({
      field: issue.path.length ? issue.path.join('.') : this.root,
      message: issue.message,
    }));
    throw new BadRequestException({
      statusCode: 400,
      error: 'Bad Request',
      message: issues.map((i) => `${i.field}: ${i.message}`).join('; '),
      issues,
    });
  }
}

/** Validates a request body against a contract schema; 400 names every bad field. */
export class ZodBodyPipe<S extends z.ZodType> extends ZodPipe<S> {
  constructor(schema: S) {
    super(schema, '(body)');
  }
}

/**
 * Validates the query string (`@Query(new ZodQueryPipe(schema))`, the whole object) against a
 * schema, e.g. `pageQuery().extend({ from: isoDateTime().optional() })`; 400 names every bad
 * parameter. A parameter given twice arrives as an array, which a string schema refuses.
 */
export class ZodQueryPipe<S extends z.ZodType> extends ZodPipe<S> {
  constructor(schema: S) {
    super(schema, '(query)');
  }
}

/** Validates the route parameters (`@Param(new ZodParamsPipe(schema))`, the whole object); 400 names every bad parameter. */
export class ZodParamsPipe<S extends z.ZodType> extends ZodPipe<S> {
  constructor(schema: S) {
    super(schema, '(path)');
  }
}

/** `:id` route parameters are journey ids: a UUID, or 400 saying so. */
export const journeyIdPipe = (): ParseUUIDPipe => new ParseUUIDPipe({ exceptionFactory: () => new BadRequestException('journey id must be a UUID') });
