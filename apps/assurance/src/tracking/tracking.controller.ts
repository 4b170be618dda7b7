import { journeyIdPipe } from '@closeloop/runtime';
import { Controller, Get, NotFoundException, Param } from '@nestjs/common';

import { verifyChain } from '../audit/audit.domain';
import { TrackingService } from './tracking.service';

const uuid = journeyIdPipe();

@Controller('journeys')
export class TrackingController {
  constructor(private readonly tracking: TrackingService) {}

  /** What assurance knows of the journey: signals seen, failures, verdict. */
  @Get(':id')
  async journey(@Param('id', uuid) id: string) {
    const journey = await this.tracking.findJourney(id);
    if (!journey) throw new NotFoundException(`assurance has seen no event of journey ${id}`);
    return journey;
  }

  /** The audit trail, in order: every event, state change, retry, escalation and human action. */
  @Get(':id/timeline')
  async timeline(@Param('id', uuid) id: string) {
    const entries = await this.tracking.timeline(id);
    if (entries.length === 0) throw new NotFoundException(`assurance has seen no event of journey ${id}`);
    return { requestId: id, entries };
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
