import { BadRequestException, Controller, Get, NotFoundException, Param, ParseUUIDPipe } from '@nestjs/common';

import { TrackingService } from './tracking.service';

const uuid = new ParseUUIDPipe({ exceptionFactory: () => new BadRequestException('journey id must be a UUID') });

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

  /** The confirmed-outcome record; 404 until the journey's outcome is verified. */
  @Get(':id/outcome')
  async outcome(@Param('id', uuid) id: string) {
    const outcome = await this.tracking.findOutcome(id);
    if (!outcome) throw new NotFoundException(`journey ${id} has no confirmed outcome`);
    return outcome;
  }
}
