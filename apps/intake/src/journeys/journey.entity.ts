import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * requested → confirmed; or escalated (a human works on it; may still be confirmed); or failed
 * (then compensated); or cancelling → compensated (or confirmed, when the cancel came too late).
 */
export type JourneyStatus = 'requested' | 'confirmed' | 'escalated' | 'failed' | 'cancelling' | 'compensated';

@Entity({ schema: 'intake', name: 'journeys' })
export class JourneyEntity {
  @PrimaryColumn('uuid', { name: 'request_id' })
  requestId!: string;

  @Column('text', { name: 'journey_type' })
  journeyType!: string;

  @Column('text')
  status!: JourneyStatus;

  @Column('text', { name: 'requested_by' })
  requestedBy!: string;

  @Column('jsonb')
  request!: object;

  @Column('text', { name: 'idempotency_key', nullable: true })
  idempotencyKey!: string | null;

  @Column('text', { name: 'request_hash' })
  requestHash!: string;

  @Column('int', { name: 'definition_version' })
  definitionVersion!: number;

  @Column('jsonb', { nullable: true })
  outcome!: object | null;

  @Column('jsonb', { nullable: true })
  failure!: object | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}
