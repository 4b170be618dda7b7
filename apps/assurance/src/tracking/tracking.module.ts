import { Module } from '@nestjs/common';

import { AuditRepository } from '../audit/audit.repository';
import { DeadlineScanner } from './deadline.scanner';
import { JourneyRepository } from './journey.repository';
import { TrackingController } from './tracking.controller';
import { TrackingHandler } from './tracking.handler';
import { TrackingService } from './tracking.service';

@Module({
  controllers: [TrackingController, TrackingHandler],
  providers: [TrackingService, JourneyRepository, AuditRepository, DeadlineScanner],
})
export class TrackingModule {}
