export * from './common.config';
export * from './kafka-security.config';
export * from './load-config';
