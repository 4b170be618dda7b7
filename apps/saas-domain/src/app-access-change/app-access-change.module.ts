import { ParticipantModule } from '@closeloop/participant';
import { Module } from '@nestjs/common';

import { AppChangesRepository } from '../access/app-changes.repository';
import { AppAccessChangeRepository } from './app-access-change.repository';
import { AppAccessChangeService } from './app-access-change.service';

@Module({
  imports: [ParticipantModule],
  providers: [AppAccessChangeService, AppAccessChangeRepository, AppChangesRepository],
  exports: [AppAccessChangeService],
})
export class AppAccessChangeModule {}
