import { ParticipantModule } from '@closeloop/participant';
import { Module } from '@nestjs/common';

import { ReplacementActions } from './replacement.actions';
import { ReplacementRepository } from './replacement.repository';
import { ReplacementService } from './replacement.service';

@Module({
  imports: [ParticipantModule],
  providers: [ReplacementService, ReplacementActions, ReplacementRepository],
  exports: [ReplacementService],
})
export class ReplacementModule {}
