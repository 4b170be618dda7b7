import { CurrentPrincipal, type Principal, Roles } from '@closeloop/auth';
import { ZodBodyPipe, ZodQueryPipe } from '@closeloop/runtime';
import { BadRequestException, Body, ConflictException, Controller, Delete, Get, NotFoundException, Param, type PipeTransform, Post, Query } from '@nestjs/common';
import { z } from 'zod';

import { API_KEY_ID, type ApiKey, type CreateApiKey, CreateApiKeySchema } from './api-keys.domain';
import { ApiKeyError } from './api-keys.errors';
import { ApiKeysService } from './api-keys.service';

const view = (key: ApiKey) => ({
  id: key.id,
  name: key.name,
  roles: key.roles,
  createdBy: key.createdBy,
  createdAt: key.createdAt.toISOString(),
  revokedBy: key.revokedBy,
  revokedAt: key.revokedAt?.toISOString() ?? null,
});

const ListSchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(100),
    after: z.string().regex(API_KEY_ID, 'the id of the last key of the previous page (16 hexadecimal digits)').optional(),
  })
  .strict();

const apiKeyIdPipe: PipeTransform<string, string> = {
  transform: (value) => {
    if (!API_KEY_ID.test(value)) throw new BadRequestException('API key id must be 16 hexadecimal digits (the part after clk_)');
    return value;
  },
};

const toHttp = (error: unknown): unknown => {
  if (!(error instanceof ApiKeyError)) return error;
  switch (error.code) {
    case 'API_KEY_NAME_TAKEN':
      return new ConflictException(error.message);
    case 'API_KEY_NOT_FOUND':
      return new NotFoundException(error.message);
  }
};

/** API keys for upstream systems; admins only. The key is in the answer to POST, and nowhere else ever. */
@Controller('api-keys')
@Roles('admin')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  /** 201 `{ id, name, roles, key, … }`: store the key now, it cannot be shown again. */
  @Post()
  async create(@Body(new ZodBodyPipe(CreateApiKeySchema)) body: CreateApiKey, @CurrentPrincipal() admin: Principal) {
    try {
      const { key, record } = await this.apiKeys.create(body, admin.id);
      return { ...view(record), key };
    } catch (error) {
      throw toHttp(error);
    }
  }

  /** Newest first: `?limit=` (1–500, default 100), `?after=<id>` (the `next` of the previous page). */
  @Get()
  async list(@Query(new ZodQueryPipe(ListSchema)) query: z.infer<typeof ListSchema>) {
    const items = (await this.apiKeys.list(query.limit, query.after)).map(view);
    return { items, next: items.length === query.limit ? items[items.length - 1]?.id : undefined };
  }

  /** Revokes a key at once (the next call with it is a 401); revoking a revoked key changes nothing. */
  @Delete(':id')
  async revoke(@Param('id', apiKeyIdPipe) id: string, @CurrentPrincipal() admin: Principal) {
    try {
      return view(await this.apiKeys.revoke(id, admin.id));
    } catch (error) {
      throw toHttp(error);
    }
  }
}
