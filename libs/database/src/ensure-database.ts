import { Client } from 'pg';

import { errorMessage } from './error-message';

export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
}

const where = (url: URL) => `${url.hostname}:${url.port || '5432'}`;

/** Creates the database named in the URL when it is missing; safe when several services race. */
export const ensureDatabase = async (databaseUrl: string): Promise<void> => {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`DATABASE_URL names an unusable database "${name}"`);
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    throw new DatabaseUnavailableError(`PostgreSQL not reachable at ${where(url)}: ${errorMessage(error)}`, { cause: error });
  }
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE "${name}"`).catch((error: { code?: string }) => {
        if (error.code !== '42P04' && error.code !== '23505') throw error; // created meanwhile by another service
      });
    }
  } finally {
    await client.end();
  }
};
