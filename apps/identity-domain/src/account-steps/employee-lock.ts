import { lockKeys } from '@closeloop/database';
import type { EntityManager } from 'typeorm';

/**
 * Serialises, until the transaction ends, everything done to these employees' directory accounts
 * (a new hire's claim and provisioning, access changes, their compensations, the record of the
 * groups before a change). Take it after the journeys' own records, in employee order, so that
 * transactions never wait on each other in a circle.
 */
export const lockEmployeeAccounts = (manager: EntityManager, employeeIds: readonly string[]): Promise<void> =>
  lockKeys(
    manager,
    employeeIds.map((employeeId) => `identity.account:${employeeId}`),
  );
