export * from './builders';
export * from './database-helpers';
export * from './eventually';
export * from './kafka-helpers';
export * from './otlp-receiver';
export * from './service-processes';
export * from './span-recorder';
export * from './test-env';
