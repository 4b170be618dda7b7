export * from './advisory-locks';
export * from './ensure-database';
export * from './error-message';
export * from './open-database';
