import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * requested → confirmed; or escalated (a human works on it; may still be confirmed); or failed
 * (then compensated); or cancelling → compensated (or confirmed, when the cancel came too late).
 * Under pre-action approval it starts `awaiting-approval`, then `requested` or `rejected`. A
 * confirmed journey whose attestation is rejected ends `compensated`.
 */
export type JourneyStatus = 'awaiting-approval' | 'rejected' | 'requested' | 'confirmed' | 'escalated' | 'failed' | 'cancelling' | 'compensated';

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

  /** The policy version and rule that chose the journey's control pattern. */
  @Column('jsonb', { nullable: true })
  policy!: object | null;

  @Column('jsonb', { nullable: true })
  outcome!: object | null;

  @Column('jsonb', { nullable: true })
  failure!: object | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;

  /** The API key the journey was submitted with and who created it (separation of duties); null otherwise. */
  @Column('jsonb', { name: 'requested_via', nullable: true })
  requestedVia!: object | null;

  /** The trace the journey started in (its POST /journeys); written once by the insert. */
  @Column({ type: 'text', name: 'trace_id', nullable: true, insert: false, update: false })
  traceId!: string | null;
}
