import { JourneyTypeSchema } from '@closeloop/contracts';
import { ZodParamsPipe } from '@closeloop/runtime';
import { BadRequestException, Body, ConflictException, Controller, Get, HttpCode, NotFoundException, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';

import { CurrentPrincipal, type Principal, Roles } from '../auth';
import { DefinitionStore } from './definition.store';
import { DefinitionError } from './definitions.errors';

const VersionParams = z
  .object({
    type: JourneyTypeSchema,
    version: z
      .string()
      .regex(/^[1-9][0-9]{0,6}$/, 'a version is a positive whole number')
      .transform(Number),
  })
  .strict();
type VersionParams = z.infer<typeof VersionParams>;

const refusal = (error: unknown): never => {
  if (!(error instanceof DefinitionError)) throw error;
  switch (error.code) {
    case 'INVALID_DEFINITION':
      throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: error.message, problems: error.problems });
    case 'DEFINITION_VERSION_EXISTS':
      throw new ConflictException(error.message);
    case 'DEFINITION_NOT_FOUND':
      throw new NotFoundException(error.message);
  }
};

/**
 * The journey definition registry: an admin of the owning team registers a version (a JSON
 * document: steps and owners, deadlines, retries, escalation queues, compensation, the signals
 * of done), then activates it; retiring stops new journeys on it. Nothing is redeployed.
 */
@Controller('definitions')
export class DefinitionsController {
  constructor(private readonly definitions: DefinitionStore) {}

  @Get()
  @Roles('admin', 'auditor', 'operator')
  async list() {
    const records = await this.definitions.list();
    return { items: records.map(({ document: _document, ...summary }) => summary) };
  }

  @Get(':type/:version')
  @Roles('admin', 'auditor', 'operator')
  async find(@Param(new ZodParamsPipe(VersionParams)) params: VersionParams) {
    const record = await this.definitions.find(params.type, params.version);
    if (!record) throw new NotFoundException(`${params.type} v${params.version} was never registered`);
    return record;
  }

  /** 201 when registered; 200 when the same document was registered already; 409 for another document under a recorded version. */
  @Post()
  @Roles('admin')
  async register(@Body() body: unknown, @CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) response: Response) {
    try {
      const { record, created } = await this.definitions.register(body, principal.id);
      response.status(created ? 201 : 200);
      return record;
    } catch (error) {
      return refusal(error);
    }
  }

  @Post(':type/:version/activate')
  @HttpCode(200)
  @Roles('admin')
  async activate(@Param(new ZodParamsPipe(VersionParams)) params: VersionParams, @CurrentPrincipal() principal: Principal) {
    try {
      return await this.definitions.activate(params.type, params.version, principal.id);
    } catch (error) {
      return refusal(error);
    }
  }

  @Post(':type/:version/retire')
  @HttpCode(200)
  @Roles('admin')
  async retire(@Param(new ZodParamsPipe(VersionParams)) params: VersionParams, @CurrentPrincipal() principal: Principal) {
    try {
      return await this.definitions.retire(params.type, params.version, principal.id);
    } catch (error) {
      return refusal(error);
    }
  }
}
