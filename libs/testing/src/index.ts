export * from './builders';
export * from './database-helpers';
export * from './eventually';
export * from './kafka-helpers';
export * from './service-processes';
export * from './test-env';
