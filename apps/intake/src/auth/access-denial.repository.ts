import { Injectable } from '@nestjs/common';
import { DataSource, type FindOptionsWhere, LessThan } from 'typeorm';

import { AccessDenialEntity } from './access-denial.entity';

export interface AccessDenial {
  readonly at: Date;
  readonly principalKind: 'user' | 'api-key' | null;
  readonly principalId: string | null;
  readonly method: string;
  readonly path: string;
  readonly status: 401 | 403;
  readonly reason: string;
  readonly message: string;
  readonly sourceIp: string | null;
}

export interface AccessDenialQuery {
  readonly limit: number;
  /** Only entries older than this id (paging, newest first). */
  readonly before?: string | undefined;
  readonly principalId?: string | undefined;
  readonly reason?: string | undefined;
}

@Injectable()
export class AccessDenialRepository {
  constructor(private readonly dataSource: DataSource) {}

  async record(denial: AccessDenial): Promise<void> {
    await this.dataSource.getRepository(AccessDenialEntity).insert({ ...denial });
  }

  /** Newest first. */
  async find(query: AccessDenialQuery): Promise<AccessDenialEntity[]> {
    const where: FindOptionsWhere<AccessDenialEntity> = {};
    if (query.before !== undefined) where.id = LessThan(query.before);
    if (query.principalId !== undefined) where.principalId = query.principalId;
    if (query.reason !== undefined) where.reason = query.reason;
    return this.dataSource.getRepository(AccessDenialEntity).find({ where, order: { id: 'DESC' }, take: query.limit });
  }
}
