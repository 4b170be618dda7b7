import type { EntityManager } from 'typeorm';

/**
 * Serialises, until the transaction ends, everything done to these employees' directory accounts
 * (a new hire's claim and provisioning, access changes, their compensations, the record of the
 * groups before a change). Take it after the journeys' own records, in employee order, so that
 * transactions never wait on each other in a circle.
 */
export const lockEmployeeAccounts = async (manager: EntityManager, employeeIds: readonly string[]): Promise<void> => {
  for (const employeeId of [...new Set(employeeIds)].sort()) {
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`identity.account:${employeeId}`]);
  }
};
