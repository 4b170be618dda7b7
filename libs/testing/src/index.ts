export * from './builders';
export * from './database-helpers';
export * from './eventually';
export * from './kafka-helpers';
export * from './test-env';
export * from './service-processes';
