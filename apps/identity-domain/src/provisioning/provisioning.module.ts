import { Module } from '@nestjs/common';

import { AccountRepository } from './account.repository';
import { JourneyRequestedHandler } from './journey-requested.handler';
import { ProvisioningService } from './provisioning.service';

@Module({
  controllers: [JourneyRequestedHandler],
  providers: [ProvisioningService, AccountRepository],
})
export class ProvisioningModule {}
