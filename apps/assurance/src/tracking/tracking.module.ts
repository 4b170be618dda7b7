import { Module } from '@nestjs/common';

import { AuditRepository } from '../audit/audit.repository';
import { DeadlineScanner } from './deadline.scanner';
import { JourneyRepository } from './journey.repository';
import { TrackingController } from './tracking.controller';
import { TrackingHandler } from './tracking.handler';
import { TrackingService } from './tracking.service';
import { WorkQueueController } from './work-queue.controller';

@Module({
  controllers: [TrackingController, TrackingHandler, WorkQueueController],
  providers: [TrackingService, JourneyRepository, AuditRepository, DeadlineScanner],
})
export class TrackingModule {}
