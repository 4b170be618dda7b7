import { randomUUID } from 'node:crypto';

import { assertIndependentOf, CurrentPrincipal, type Principal, Roles } from '@closeloop/auth';
import { journeyIdPipe, ZodBodyPipe, ZodQueryPipe } from '@closeloop/runtime';
import { BadRequestException, Body, ConflictException, Controller, Get, HttpCode, NotFoundException, Param, Post, Query } from '@nestjs/common';
import { z } from 'zod';

import { TrackingService } from './tracking.service';
import { WorkQueueError } from './work-queue.errors';

const uuid = journeyIdPipe();

/** Who acts is who authenticated: a body that names an operator is refused, so no client believes it chose one. */
const noOperatorField = { operator: z.never({ error: 'the operator is the authenticated caller: remove "operator" from the body' }).optional() };

const ClaimSchema = z.object(noOperatorField).strict();
const comment = z.string().trim().min(1).max(2000);
const ResolveSchema = z.discriminatedUnion('action', [
  z.object({ ...noOperatorField, action: z.literal('retry'), comment }).strict(),
  z
    .object({
      ...noOperatorField,
      action: z.literal('fixed'),
      comment,
      evidence: z.record(z.string().max(200), z.unknown()).refine((e) => Object.keys(e).length > 0, 'evidence must say what was checked').refine((e) => JSON.stringify(e).length <= 20_000, 'evidence is at most 20,000 characters of JSON'),
    })
    .strict(),
  z.object({ ...noOperatorField, action: z.literal('fail'), comment }).strict(),
]);

/** `?limit=` (1–200, default 100) and `?after=` (the `next` cursor of the previous page). */
const PageSchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(100),
    after: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, 'the "next" cursor of the previous page').optional(),
  })
  .strict();

const toHttp = (error: unknown): never => {
  if (!(error instanceof WorkQueueError)) throw error;
  switch (error.code) {
    case 'NOT_FOUND':
      throw new NotFoundException(error.message);
    case 'NOT_ESCALATED':
    case 'CLAIMED_BY_OTHER':
    case 'NOT_CLAIMED':
    case 'REQUEST_UNSEEN':
      throw new ConflictException(error.message);
    case 'BAD_CURSOR':
      throw new BadRequestException(error.message);
  }
};

/**
 * The human work queue: escalated journeys are listed, claimed and resolved by operators. The
 * operator is the authenticated caller; nobody acts on a journey they requested, are the subject
 * of, or that was requested with an API key they created (403 OWN_REQUEST, audited).
 */
@Controller('work-queue')
@Roles('operator')
export class WorkQueueController {
  constructor(private readonly tracking: TrackingService) {}

  @Get()
  async list(@Query(new ZodQueryPipe(PageSchema)) page: z.infer<typeof PageSchema>) {
    return this.tracking.workQueue(page.limit, page.after).catch(toHttp);
  }

  @Post(':id/claim')
  @HttpCode(200)
  async claim(@Param('id', uuid) id: string, @Body(new ZodBodyPipe(ClaimSchema)) _body: z.infer<typeof ClaimSchema>, @CurrentPrincipal() operator: Principal) {
    await this.assertIndependent(id, operator, 'claim its escalation');
    await this.tracking.claim(id, operator.id).catch(toHttp);
    return { requestId: id, claimedBy: operator.id };
  }

  @Post(':id/resolve')
  @HttpCode(200)
  async resolve(@Param('id', uuid) id: string, @Body(new ZodBodyPipe(ResolveSchema)) body: z.infer<typeof ResolveSchema>, @CurrentPrincipal() operator: Principal) {
    await this.assertIndependent(id, operator, 'resolve its escalation');
    const decision =
      body.action === 'fixed' ? { kind: 'fixed' as const, evidence: body.evidence, signalId: randomUUID() } : body.action === 'fail' ? { kind: 'fail' as const, reason: body.comment } : { kind: 'retry' as const };
    const journey = await this.tracking.resolve(id, operator.id, decision, body.comment).catch(toHttp);
    return { requestId: id, status: journey.status };
  }

  private async assertIndependent(id: string, operator: Principal, action: string): Promise<void> {
    const parties = await this.tracking.partiesOf(id).catch(toHttp);
    assertIndependentOf(operator, parties, action);
  }
}
