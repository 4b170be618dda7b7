import { ParticipantModule } from '@closeloop/participant';
import { Module } from '@nestjs/common';

import { AccountStepsModule } from '../account-steps/account-steps.module';
import { AccountCheckService } from './account-check.service';

@Module({
  imports: [ParticipantModule, AccountStepsModule],
  providers: [AccountCheckService],
  exports: [AccountCheckService],
})
export class AccountCheckModule {}
