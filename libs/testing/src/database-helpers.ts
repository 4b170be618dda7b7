import { Client } from 'pg';

import { testEnv } from './test-env';

/** Runs one query against the test database (tests read service state with it, never write). */
export const sql = async <T = Record<string, unknown>>(text: string, values: unknown[] = [], databaseUrl = testEnv().DATABASE_URL): Promise<T[]> => {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
};

/** Drops a test database so an end-to-end run starts from nothing. */
export const dropDatabase = async (databaseUrl: string): Promise<void> => {
  const url = new URL(databaseUrl);
  const name = url.pathname.slice(1);
  url.pathname = '/postgres';
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
};
