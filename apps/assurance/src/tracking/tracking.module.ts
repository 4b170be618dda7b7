import { Module } from '@nestjs/common';

import { JourneyRepository } from './journey.repository';
import { TrackingController } from './tracking.controller';
import { TrackingHandler } from './tracking.handler';
import { TrackingService } from './tracking.service';

@Module({
  controllers: [TrackingController, TrackingHandler],
  providers: [TrackingService, JourneyRepository],
})
export class TrackingModule {}
