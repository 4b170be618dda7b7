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

  async findByIdempotencyKey(key: string): Promise<Journey | null> {
    const row = await this.dataSource.getRepository(JourneyEntity).findOneBy({ idempotencyKey: key });
    return row ? toJourney(row) : null;
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
         definition_version, policy, outcome, failure, created_at, updated_at, trace_parent)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $10, NULL, NULL, $9, $9, $11)`,
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
      ],
    );
  }

  async save(manager: EntityManager, journeys: readonly Journey[]): Promise<void> {
    if (journeys.length > 0) await manager.getRepository(JourneyEntity).save(journeys.map((j) => Object.assign(new JourneyEntity(), j)));
  }
}
