import type { EntityManager } from 'typeorm';

/**
 * Takes a transaction-scoped advisory lock on each key (held until the transaction ends), in key
 * order and in one round trip: transactions that lock overlapping keys wait for each other but
 * never in a circle. Keys name what is locked, e.g. `identity.account:E1001`.
 */
export const lockKeys = async (manager: EntityManager, keys: readonly string[]): Promise<void> => {
  if (keys.length === 0) return;
  // Rows come from the sorted subquery in order, so the locks are taken in key order.
  await manager.query('SELECT pg_advisory_xact_lock(hashtext(k)) FROM (SELECT DISTINCT k FROM unnest($1::text[]) AS t(k) ORDER BY k) AS sorted', [[...keys]]);
};
