export const errorMessage = (error: unknown): string =>
  error instanceof AggregateError ? error.errors.map(errorMessage).join('; ') : error instanceof Error ? error.message : String(error);
