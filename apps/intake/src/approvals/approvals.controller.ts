import { journeyIdPipe, ZodBodyPipe } from '@closeloop/runtime';
import { BadRequestException, Body, ConflictException, Controller, Get, HttpCode, NotFoundException, Param, Post, Query } from '@nestjs/common';
import { z } from 'zod';

import { AccessDenied, CurrentPrincipal, type Principal, Roles } from '../auth';
import type { ApprovalTask } from './approvals.domain';
import { ApprovalError, ApprovalsService } from './approvals.service';

const DecisionSchema = z.object({ comment: z.string().trim().min(1, 'a decision needs a comment').max(2000) }).strict();
const LimitSchema = z.coerce.number().int().min(1).max(500).default(100);

const view = (t: ApprovalTask) => ({
  taskId: t.taskId,
  requestId: t.requestId,
  kind: t.kind,
  status: t.status,
  step: t.step,
  assigneeGroup: t.assigneeGroup,
  escalated: t.escalated,
  dueAt: t.dueAt.toISOString(),
  policyVersion: t.policyVersion,
  rule: t.rule,
  context: t.context,
  decidedBy: t.decidedBy,
  comment: t.comment,
  decidedAt: t.decidedAt?.toISOString() ?? null,
  createdAt: t.createdAt.toISOString(),
});

/** Approval tasks: approvers see the open tasks of their groups and decide them. */
@Controller()
export class ApprovalsController {
  constructor(private readonly approvals: ApprovalsService) {}

  /** The open tasks assigned to the caller's groups (the token's groups claim), oldest first. */
  @Get('approvals')
  @Roles('approver')
  async mine(@CurrentPrincipal() principal: Principal, @Query('limit') limit?: string) {
    const parsed = LimitSchema.safeParse(limit);
    if (!parsed.success) throw new BadRequestException('limit: an integer from 1 to 500');
    return { tasks: (await this.approvals.mine(principal, parsed.data)).map(view) };
  }

  /** Every task of a journey, decided or not, oldest first: a journey has a handful, `?limit=` (at most 500, default 100) bounds the answer. */
  @Get('journeys/:id/approvals')
  @Roles('approver', 'operator', 'auditor', 'admin')
  async ofJourney(@Param('id', journeyIdPipe()) id: string, @Query('limit') limit?: string) {
    const parsed = LimitSchema.safeParse(limit);
    if (!parsed.success) throw new BadRequestException('limit: an integer from 1 to 500');
    return { tasks: (await this.approvals.forJourney(id, parsed.data)).map(view) };
  }

  @Post('approvals/:taskId/approve')
  @HttpCode(200)
  @Roles('approver')
  approve(@Param('taskId', journeyIdPipe()) taskId: string, @Body(new ZodBodyPipe(DecisionSchema)) body: z.infer<typeof DecisionSchema>, @CurrentPrincipal() principal: Principal) {
    return this.decide(taskId, principal, true, body.comment);
  }

  @Post('approvals/:taskId/reject')
  @HttpCode(200)
  @Roles('approver')
  reject(@Param('taskId', journeyIdPipe()) taskId: string, @Body(new ZodBodyPipe(DecisionSchema)) body: z.infer<typeof DecisionSchema>, @CurrentPrincipal() principal: Principal) {
    return this.decide(taskId, principal, false, body.comment);
  }

  private async decide(taskId: string, principal: Principal, approved: boolean, comment: string) {
    try {
      return view(await this.approvals.decide(taskId, principal, approved, comment));
    } catch (error) {
      if (error instanceof ApprovalError) {
        if (error.code === 'TASK_NOT_FOUND') throw new NotFoundException(error.message);
        if (error.code === 'NOT_OPEN') throw new ConflictException(error.message);
        throw new AccessDenied(error.code, error.message);
      }
      throw error;
    }
  }
}
