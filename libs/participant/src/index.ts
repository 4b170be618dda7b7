export * from './connector-calls';
export * from './participant.module';
export * from './ports';
export * from './step-asks';
export * from './step-events';
export * from './step-guard';
export * from './step-result';
export * from './step-transaction';
