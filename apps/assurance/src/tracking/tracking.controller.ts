import { Roles } from '@closeloop/auth';
import { journeyIdPipe, pageQuery, ZodQueryPipe } from '@closeloop/runtime';
import { Controller, Get, NotFoundException, Param, Query } from '@nestjs/common';
import { z } from 'zod';

import { verifyChain } from '../audit/audit.domain';
import { TrackingService } from './tracking.service';

const uuid = journeyIdPipe();
const TimelinePage = pageQuery({ defaultLimit: 500, cursor: z.string().regex(/^\d{1,9}$/, 'the nextCursor of the previous page') }).strict();

/**
 * What assurance knows of journeys: operators (who act on them) and auditors (who read the trail).
 * The timeline holds names and e-mails, so nobody else reads it.
 */
@Controller('journeys')
@Roles('operator', 'auditor')
export class TrackingController {
  constructor(private readonly tracking: TrackingService) {}

  /** What assurance knows of the journey: signals seen, failures, verdict. */
  @Get(':id')
  async journey(@Param('id', uuid) id: string) {
    const journey = await this.tracking.findJourney(id);
    if (!journey) throw new NotFoundException(`assurance has seen no event of journey ${id}`);
    return journey;
  }

  /**
   * The audit trail, in order: every event, state change, retry, escalation and human action, a
   * page at a time (`?limit=` up to 500, `?cursor=` the `nextCursor` of the previous page).
   */
  @Get(':id/timeline')
  async timeline(@Param('id', uuid) id: string, @Query(new ZodQueryPipe(TimelinePage)) page: z.infer<typeof TimelinePage>) {
    const entries = await this.tracking.timeline(id, { limit: page.limit, afterSeq: page.cursor === undefined ? 0 : Number(page.cursor) });
    if (entries.length === 0 && page.cursor === undefined) throw new NotFoundException(`assurance has seen no event of journey ${id}`);
    const last = entries.length === page.limit ? entries[entries.length - 1] : undefined;
    return { requestId: id, entries, nextCursor: last ? String(last.seq) : undefined };
  }

  /** Re-computes the journey's hash chain and reports the first broken link, if any. */
  @Get(':id/timeline/verify')
  async verify(@Param('id', uuid) id: string) {
    const entries = await this.tracking.timeline(id);
    if (entries.length === 0) throw new NotFoundException(`assurance has seen no event of journey ${id}`);
    return { requestId: id, ...verifyChain(entries) };
  }

  /** The confirmed-outcome record; 404 until the journey's outcome is verified. */
  @Get(':id/outcome')
  async outcome(@Param('id', uuid) id: string) {
    const outcome = await this.tracking.findOutcome(id);
    if (!outcome) throw new NotFoundException(`journey ${id} has no confirmed outcome`);
    return outcome;
  }
}
