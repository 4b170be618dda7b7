import { ParticipantModule } from '@closeloop/participant';
import { Module } from '@nestjs/common';

import { AccountRepository } from './account.repository';
import { ProvisioningService } from './provisioning.service';

@Module({
  imports: [ParticipantModule],
  providers: [ProvisioningService, AccountRepository],
  exports: [ProvisioningService],
})
export class ProvisioningModule {}
