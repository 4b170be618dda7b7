import { ParticipantModule } from '@closeloop/participant';
import { Module } from '@nestjs/common';

import { LicenceRequestRepository } from './licence-request.repository';
import { LicensingService } from './licensing.service';

@Module({
  imports: [ParticipantModule],
  providers: [LicensingService, LicenceRequestRepository],
  exports: [LicensingService],
})
export class LicensingModule {}
