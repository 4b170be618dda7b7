export * from './errors';
export * from './http-target';
export * from './retry-after';
export * from './retry-policy';
export * from './target-limiter';
export * from './with-target-limits';
