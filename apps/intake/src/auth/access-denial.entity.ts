import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One 401 or 403 answered by intake: who (when known), what they asked, and why it was refused. */
@Entity({ schema: 'intake', name: 'access_denials' })
export class AccessDenialEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column('timestamptz')
  at!: Date;

  @Column('text', { name: 'principal_kind', nullable: true })
  principalKind!: 'user' | 'api-key' | null;

  @Column('text', { name: 'principal_id', nullable: true })
  principalId!: string | null;

  @Column('text')
  method!: string;

  @Column('text')
  path!: string;

  @Column('int')
  status!: number;

  @Column('text')
  reason!: string;

  @Column('text')
  message!: string;

  @Column('text', { name: 'source_ip', nullable: true })
  sourceIp!: string | null;
}
