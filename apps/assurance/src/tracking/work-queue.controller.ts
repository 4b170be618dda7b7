import { randomUUID } from 'node:crypto';

import { journeyIdPipe, ZodBodyPipe } from '@closeloop/runtime';
import { Body, ConflictException, Controller, Get, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { z } from 'zod';

import { TrackingService } from './tracking.service';
import { WorkQueueError } from './work-queue.errors';

const uuid = journeyIdPipe();

const ClaimSchema = z.object({ operator: z.string().trim().min(1).max(200) }).strict();
const ResolveSchema = z.discriminatedUnion('action', [
  z.object({ operator: z.string().trim().min(1).max(200), action: z.literal('retry'), comment: z.string().trim().min(1).max(2000) }).strict(),
  z
    .object({
      operator: z.string().trim().min(1).max(200),
      action: z.literal('fixed'),
      comment: z.string().trim().min(1).max(2000),
      evidence: z.record(z.string(), z.unknown()).refine((e) => Object.keys(e).length > 0, 'evidence must say what was checked'),
    })
    .strict(),
  z.object({ operator: z.string().trim().min(1).max(200), action: z.literal('fail'), comment: z.string().trim().min(1).max(2000) }).strict(),
]);

const toHttp = (error: unknown): never => {
  if (!(error instanceof WorkQueueError)) throw error;
  switch (error.code) {
    case 'NOT_FOUND':
      throw new NotFoundException(error.message);
    case 'NOT_ESCALATED':
    case 'CLAIMED_BY_OTHER':
    case 'NOT_CLAIMED':
      throw new ConflictException(error.message);
  }
};

/** The human work queue: escalated journeys are listed, claimed and resolved by operators. */
@Controller('work-queue')
export class WorkQueueController {
  constructor(private readonly tracking: TrackingService) {}

  @Get()
  async list() {
    return { items: await this.tracking.workQueue() };
  }

  @Post(':id/claim')
  @HttpCode(200)
  async claim(@Param('id', uuid) id: string, @Body(new ZodBodyPipe(ClaimSchema)) body: z.infer<typeof ClaimSchema>) {
    await this.tracking.claim(id, body.operator).catch(toHttp);
    return { requestId: id, claimedBy: body.operator };
  }

  @Post(':id/resolve')
  @HttpCode(200)
  async resolve(@Param('id', uuid) id: string, @Body(new ZodBodyPipe(ResolveSchema)) body: z.infer<typeof ResolveSchema>) {
    const decision =
      body.action === 'fixed' ? { kind: 'fixed' as const, evidence: body.evidence, signalId: randomUUID() } : body.action === 'fail' ? { kind: 'fail' as const, reason: body.comment } : { kind: 'retry' as const };
    const journey = await this.tracking.resolve(id, body.operator, decision, body.comment).catch(toHttp);
    return { requestId: id, status: journey.status };
  }
}
