import { ParticipantModule } from '@closeloop/participant';
import { Module } from '@nestjs/common';

import { AccountStepsModule } from '../account-steps/account-steps.module';
import { AccessChangeService } from './access-change.service';

@Module({
  imports: [ParticipantModule, AccountStepsModule],
  providers: [AccessChangeService],
  exports: [AccessChangeService],
})
export class AccessChangeModule {}
