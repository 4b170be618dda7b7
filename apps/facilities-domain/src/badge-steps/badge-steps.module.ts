import { Module } from '@nestjs/common';

import { BadgeStepRepository } from './badge-step.repository';

/** The record of the badge steps (`facilities.journey_steps`), shared by the new hire's issue and the offboarding's revocation. */
@Module({
  providers: [BadgeStepRepository],
  exports: [BadgeStepRepository],
})
export class BadgeStepsModule {}
