import { InMemoryJourneyRecords } from '@closeloop/participant/testing';
import type { EntityManager } from 'typeorm';

import type { LicenceHalf } from './licence-request.repository';
import type { LicenceRequest, LicenceStatus, SeatsBefore } from './licensing.domain';

type Row = LicenceRequest & { readonly failure: object | null };

/** What a half adds to a journey's record: every field it brings, the others kept. */
const merged = (row: Row, half: LicenceHalf): Row => ({
  ...row,
  employeeId: half.employeeId ?? row.employeeId,
  app: half.app ?? row.app,
  licenceType: half.licenceType ?? row.licenceType,
  seats: half.seats ?? row.seats,
  accountId: half.accountId ?? row.accountId,
});

/** The licence requests in memory, for service tests, with the repository's rules (halves merge; the seats before, once kept, stay; a compensated request is never overwritten). */
export class InMemoryLicenceRequestRepository extends InMemoryJourneyRecords<LicenceHalf, Row> {
  constructor() {
    super({
      create: (half) => merged({ requestId: half.requestId, employeeId: '', app: null, licenceType: null, seats: null, accountId: null, seatsBefore: null, status: 'pending', failure: null }, half),
      relock: merged,
    });
  }

  async merge(tx: EntityManager, halves: readonly LicenceHalf[], _now: Date): Promise<LicenceRequest[]> {
    return [...(await this.lock(tx, halves)).values()].sort((a, b) => a.requestId.localeCompare(b.requestId));
  }

  async rememberBefore(tx: EntityManager, requestId: string, before: SeatsBefore): Promise<void> {
    this.update(tx, requestId, (row) => (row.seatsBefore !== null || row.status === 'compensated' ? row : { ...row, seatsBefore: before }));
  }

  async conclude(tx: EntityManager, requestId: string, status: Exclude<LicenceStatus, 'pending'>, failure: object | null, _now: Date): Promise<void> {
    this.update(tx, requestId, (row) => (row.status === 'compensated' ? row : { ...row, status, failure }));
  }
}
