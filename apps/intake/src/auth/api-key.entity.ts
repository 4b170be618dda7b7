import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An upstream system's API key: its hash only, never the key. */
@Entity({ schema: 'intake', name: 'api_keys' })
export class ApiKeyEntity {
  @PrimaryColumn('text')
  id!: string;

  @Column('text')
  name!: string;

  @Column('text', { array: true })
  roles!: string[];

  @Column('text', { name: 'key_hash' })
  keyHash!: string;

  @Column('text', { name: 'created_by' })
  createdBy!: string;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('text', { name: 'revoked_by', nullable: true })
  revokedBy!: string | null;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;
}
