import { Module } from '@nestjs/common';

import { AccountStepRepository } from './account-step.repository';

/** The record of the steps run on an existing account, shared by the access change, the account check and the offboarding. */
@Module({
  providers: [AccountStepRepository],
  exports: [AccountStepRepository],
})
export class AccountStepsModule {}
