export * from './clock';
export * from './health.controller';
export * from './run-service';
export * from './runtime.module';
export * from './simulator-faults';
export * from './tokens';
export * from './zod-body.pipe';
