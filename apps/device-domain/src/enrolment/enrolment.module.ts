import { Module } from '@nestjs/common';

import { DeviceAssignmentRepository } from './device-assignment.repository';
import { EnrolmentService } from './enrolment.service';

@Module({
  providers: [EnrolmentService, DeviceAssignmentRepository],
  exports: [EnrolmentService],
})
export class EnrolmentModule {}
