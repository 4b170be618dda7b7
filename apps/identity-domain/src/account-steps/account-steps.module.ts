import { Module } from '@nestjs/common';

import { AccountStepRepository } from './account-step.repository';

/** The record of the steps run on an existing account, shared by the access change and the account check. */
@Module({
  providers: [AccountStepRepository],
  exports: [AccountStepRepository],
})
export class AccountStepsModule {}
