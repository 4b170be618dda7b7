import { ParticipantModule } from '@closeloop/participant';
import { Module } from '@nestjs/common';

import { DeviceAssignmentRepository } from './device-assignment.repository';
import { EnrolmentService } from './enrolment.service';

@Module({
  imports: [ParticipantModule],
  providers: [EnrolmentService, DeviceAssignmentRepository],
  exports: [EnrolmentService],
})
export class EnrolmentModule {}
