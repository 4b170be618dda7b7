import { type JourneyRequest, JourneyRequestSchema } from '@closeloop/contracts';
import { journeyIdPipe, ZodBodyPipe } from '@closeloop/runtime';
import {
  BadRequestException,
  Body,
  ConflictException,
  Controller,
  Get,
  Headers,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Res,
} from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';

import { assertOwnerOrRole, CurrentPrincipal, type Principal, RequestedByCaller, Roles } from '../auth';
import type { Journey } from './journeys.domain';
import { IntakeError } from './journeys.errors';
import { JourneysService } from './journeys.service';


const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;
/** Keys the upstream consumers derive from upstream record ids (see README, Upstream systems). */
const RESERVED_KEY = /^(workday|servicenow):/i;

const CancelSchema = z.object({ requestedBy: z.string().trim().min(1).max(200), reason: z.string().trim().min(1).max(2000) }).strict();

const view = (j: Journey) => ({
  requestId: j.requestId,
  type: j.journeyType,
  status: j.status,
  requestedBy: j.requestedBy,
  definitionVersion: j.definitionVersion,
  policy: j.policy,
  createdAt: j.createdAt.toISOString(),
  updatedAt: j.updatedAt.toISOString(),
  outcome: j.outcome,
  failure: j.failure,
  traceId: j.traceId ?? null,
});

@Controller('journeys')
export class JourneysController {
  constructor(private readonly journeys: JourneysService) {}

  /** 202 with the requestId; a replay with the same Idempotency-Key answers 200 with the same journey. */
  @Post()
  @HttpCode(202)
  @Roles('requester', 'admin')
  @RequestedByCaller()
  async submit(
    @Body(new ZodBodyPipe(JourneyRequestSchema)) request: JourneyRequest,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) response: Response,
    @CurrentPrincipal() principal: Principal,
  ) {
    if (idempotencyKey !== undefined && RESERVED_KEY.test(idempotencyKey)) {
      throw new BadRequestException('Idempotency-Key header: the prefixes workday: and servicenow: are reserved for the upstream consumers');
    }
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new BadRequestException('Idempotency-Key header: 1 to 200 printable ASCII characters without spaces');
    }
    try {
      const { journey, created } = await this.journeys.submit(request, idempotencyKey ?? null, principal);
      if (!created) response.status(200);
      response.location(`/journeys/${journey.requestId}`);
      return { requestId: journey.requestId, status: journey.status, replayed: !created };
    } catch (error) {
      if (error instanceof IntakeError) {
        switch (error.code) {
          case 'IDEMPOTENCY_KEY_REUSED':
          case 'CALLER_UNKNOWN':
            throw new ConflictException(error.message);
          case 'SUBJECT_ALREADY_ONBOARDING':
            throw new ConflictException({ statusCode: 409, error: 'Conflict', message: error.message, ownerRequestId: error.details.ownerRequestId ?? null });
          case 'INVALID_REQUEST':
            throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: error.message, issues: error.details.issues ?? [] });
          case 'NO_ACTIVE_DEFINITION':
          case 'DEFINITION_NOT_ACTIVE':
            throw new ConflictException(error.message);
          case 'JOURNEY_NOT_FOUND':
          case 'CANNOT_CANCEL':
            throw error;
        }
      }
      throw error;
    }
  }

  /** 202: assurance compensates what ran; the journey ends `compensated`. 409 once confirmed or ended. */
  @Post(':id/cancel')
  @HttpCode(202)
  @Roles('requester', 'operator', 'admin')
  @RequestedByCaller()
  async cancel(
    @Param('id', journeyIdPipe()) id: string,
    @Body(new ZodBodyPipe(CancelSchema)) body: z.infer<typeof CancelSchema>,
    @CurrentPrincipal() principal: Principal,
  ) {
    const existing = await this.journeys.find(id);
    if (!existing) throw new NotFoundException(`no journey ${id}`);
    assertOwnerOrRole(principal, existing.requestedBy, ['operator', 'admin'], `cancel journey ${id}`);
    try {
      const journey = await this.journeys.cancel(id, body.requestedBy, body.reason);
      return { requestId: id, status: journey.status };
    } catch (error) {
      if (error instanceof IntakeError && error.code === 'JOURNEY_NOT_FOUND') throw new NotFoundException(error.message);
      if (error instanceof IntakeError && error.code === 'CANNOT_CANCEL') throw new ConflictException(error.message);
      throw error;
    }
  }

  @Get(':id')
  @Roles('requester', 'approver', 'operator', 'auditor', 'admin')
  async find(@Param('id', journeyIdPipe()) id: string, @CurrentPrincipal() principal: Principal) {
    const journey = await this.journeys.find(id);
    if (!journey) throw new NotFoundException(`no journey ${id}`);
    assertOwnerOrRole(principal, journey.requestedBy, ['approver', 'operator', 'auditor', 'admin'], `see journey ${id}`);
    return view(journey);
  }
}
