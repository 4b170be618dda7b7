import { isRole } from '@closeloop/auth';
import { Injectable } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';

import { ApiKeyEntity } from './api-key.entity';
import type { ApiKey } from './api-keys.domain';

const UNIQUE_VIOLATION = '23505';

const toApiKey = (row: ApiKeyEntity): ApiKey => ({
  id: row.id,
  name: row.name,
  roles: row.roles.filter(isRole),
  keyHash: row.keyHash,
  createdBy: row.createdBy,
  createdAt: row.createdAt,
  revokedBy: row.revokedBy,
  revokedAt: row.revokedAt,
});

@Injectable()
export class ApiKeyRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Stores a new key; false when an active key already has that name. */
  async insert(key: ApiKey): Promise<boolean> {
    try {
      await this.dataSource.getRepository(ApiKeyEntity).insert({ ...key, roles: [...key.roles] });
      return true;
    } catch (error) {
      const violation = error as { code?: string; constraint?: string };
      if (violation.code === UNIQUE_VIOLATION && violation.constraint === 'api_keys_one_active_per_name') return false;
      throw error;
    }
  }

  async findById(id: string): Promise<ApiKey | null> {
    const row = await this.dataSource.getRepository(ApiKeyEntity).findOneBy({ id });
    return row ? toApiKey(row) : null;
  }

  /** Newest first, a page at a time: `after` is the id of the previous page's last key. */
  async list(limit: number, after?: string): Promise<ApiKey[]> {
    const rows: ApiKeyEntity[] = await this.dataSource
      .getRepository(ApiKeyEntity)
      .createQueryBuilder('k')
      .where(after === undefined ? 'TRUE' : '(k.created_at, k.id) < (SELECT a.created_at, a.id FROM intake.api_keys a WHERE a.id = :after)', { after })
      .orderBy('k.created_at', 'DESC')
      .addOrderBy('k.id', 'DESC')
      .limit(limit)
      .getMany();
    return rows.map(toApiKey);
  }

  /** Revokes an active key; revoking a revoked key changes nothing. */
  async revoke(id: string, by: string, at: Date): Promise<void> {
    await this.dataSource.getRepository(ApiKeyEntity).update({ id, revokedAt: IsNull() }, { revokedAt: at, revokedBy: by });
  }
}
