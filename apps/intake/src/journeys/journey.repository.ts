import { activeTraceParent } from '@closeloop/observability';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, In } from 'typeorm';

import { JourneyEntity } from './journey.entity';
import type { Journey } from './journeys.domain';
import { toJourney } from './journeys.domain';

@Injectable()
export class JourneyRepository {
  constructor(private readonly dataSource: DataSource) {}

  async findById(requestId: string): Promise<Journey | null> {
    const row = await this.dataSource.getRepository(JourneyEntity).findOneBy({ requestId });
    return row ? toJourney(row) : null;
  }

  /** Idempotency keys are the caller's own: the same key from another caller is another request. */
  async findByIdempotencyKey(requestedBy: string, key: string): Promise<Journey | null> {
    const row = await this.dataSource.getRepository(JourneyEntity).findOneBy({ requestedBy, idempotencyKey: key });
    return row ? toJourney(row) : null;
  }

  /**
   * The new-hire journey that owns the employee's account: any earlier one that was neither
   * rejected (nothing ran) nor compensated (everything it did was undone).
   */
  async findAccountOwner(employeeId: string): Promise<Pick<Journey, 'requestId' | 'status'> | null> {
    const [row] = await this.dataSource.query(
      `SELECT request_id, status FROM intake.journeys
       WHERE journey_type = 'new-hire' AND request->'subject'->>'employeeId' = $1 AND status NOT IN ('rejected', 'compensated')
       ORDER BY created_at LIMIT 1`,
      [employeeId],
    );
    return row ? { requestId: row.request_id, status: row.status } : null;
  }

  /**
   * The API key of that name that a caller just authenticated with: one active key per name, and a
   * name is reused only after its key was revoked, so it is the newest key of the name.
   */
  async findApiKeyByName(name: string): Promise<{ id: string; name: string; createdBy: string } | null> {
    const [row] = await this.dataSource.query('SELECT id, name, created_by FROM intake.api_keys WHERE name = $1 ORDER BY (revoked_at IS NULL) DESC, created_at DESC LIMIT 1', [name]);
    return row ? { id: row.id, name: row.name, createdBy: row.created_by } : null;
  }

  async findManyForUpdate(manager: EntityManager, requestIds: readonly string[]): Promise<Journey[]> {
    if (requestIds.length === 0) return [];
    const rows = await manager.getRepository(JourneyEntity).find({
      where: { requestId: In([...requestIds]) },
      lock: { mode: 'pessimistic_write' },
      order: { requestId: 'ASC' },
    });
    return rows.map(toJourney);
  }

  /** The hot path of POST /journeys: one plain INSERT. */
  async insert(manager: EntityManager, journey: Journey): Promise<void> {
    await manager.query(
      `INSERT INTO intake.journeys (request_id, journey_type, status, requested_by, request, idempotency_key, request_hash,
         definition_version, policy, outcome, failure, created_at, updated_at, trace_parent, requested_via)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $10, NULL, NULL, $9, $9, $11, $12)`,
      [
        journey.requestId,
        journey.journeyType,
        journey.status,
        journey.requestedBy,
        JSON.stringify(journey.request),
        journey.idempotencyKey,
        journey.requestHash,
        journey.definitionVersion,
        journey.createdAt.toISOString(),
        journey.policy ? JSON.stringify(journey.policy) : null,
        activeTraceParent() ?? null, // the request's trace: the journey's events continue it
        journey.requestedVia ? JSON.stringify(journey.requestedVia) : null,
      ],
    );
  }

  async save(manager: EntityManager, journeys: readonly Journey[]): Promise<void> {
    if (journeys.length > 0) await manager.getRepository(JourneyEntity).save(journeys.map((j) => Object.assign(new JourneyEntity(), j)));
  }
}
