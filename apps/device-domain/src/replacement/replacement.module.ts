import { Module } from '@nestjs/common';

import { ReplacementActions } from './replacement.actions';
import { ReplacementRepository } from './replacement.repository';
import { ReplacementService } from './replacement.service';

@Module({
  providers: [ReplacementService, ReplacementActions, ReplacementRepository],
  exports: [ReplacementService],
})
export class ReplacementModule {}
