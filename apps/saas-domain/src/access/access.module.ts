import { ParticipantModule } from '@closeloop/participant';
import { Module } from '@nestjs/common';

import { AccessService } from './access.service';
import { AccessRequestRepository } from './access-request.repository';
import { AppChangesRepository } from './app-changes.repository';

@Module({
  imports: [ParticipantModule],
  providers: [AccessService, AccessRequestRepository, AppChangesRepository],
  exports: [AccessService],
})
export class AccessModule {}
