import { DataSource, type MigrationInterface } from 'typeorm';

import { ensureDatabase } from './ensure-database';

export interface DatabaseOptions {
  readonly url: string;
  /** The service's own schema; nothing else writes to it. */
  readonly schema: string;
  readonly poolSize: number;
  readonly entities?: ReadonlyArray<new (...args: never[]) => object>;
  readonly migrations: ReadonlyArray<new () => MigrationInterface>;
  readonly applicationName: string;
}

/**
 * Opens the service's database: creates the database and schema when missing, then runs the
 * service's migrations under an advisory lock, so instances starting together do not race.
 * Never `synchronize`.
 */
export const openDatabase = async (options: DatabaseOptions): Promise<DataSource> => {
  if (!/^[a-z][a-z0-9_]*$/.test(options.schema)) throw new Error(`schema name "${options.schema}" must be lower-case letters, digits and _`);
  await ensureDatabase(options.url);
  const dataSource = new DataSource({
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    applicationName: options.applicationName,
    entities: [...(options.entities ?? [])],
    migrations: [...options.migrations],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    extra: { max: options.poolSize },
  });
  await dataSource.initialize();
  const lockKey = `migrations:${options.schema}`;
  try {
    const runner = dataSource.createQueryRunner();
    try {
      await runner.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey]);
      await runner.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema}"`);
      await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]).catch(() => undefined);
      await runner.release();
    }
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  return dataSource;
};
