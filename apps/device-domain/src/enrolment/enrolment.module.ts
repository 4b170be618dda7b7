import { Module } from '@nestjs/common';

import { DeviceAssignmentRepository } from './device-assignment.repository';
import { EnrolmentService } from './enrolment.service';
import { JourneyRequestedHandler } from './journey-requested.handler';

@Module({
  controllers: [JourneyRequestedHandler],
  providers: [EnrolmentService, DeviceAssignmentRepository],
})
export class EnrolmentModule {}
