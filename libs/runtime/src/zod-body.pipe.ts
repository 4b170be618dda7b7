import { BadRequestException, ParseUUIDPipe, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';

/** Validates a request body against a contract schema; 400 names every bad field. */
export class ZodBodyPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    const result = this.schema.safeParse(value);
    if (result.success) return result.data;
    const issues = result.error.issues.map((issue) => ({
      field: issue.path.length ? issue.path.join('.') : '(body)',
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

/** `:id` route parameters are journey ids: a UUID, or 400 saying so. */
export const journeyIdPipe = (): ParseUUIDPipe => new ParseUUIDPipe({ exceptionFactory: () => new BadRequestException('journey id must be a UUID') });
