import { Module } from '@nestjs/common';

import { AppAccessChangeRepository } from './app-access-change.repository';
import { AppAccessChangeService } from './app-access-change.service';

@Module({
  providers: [AppAccessChangeService, AppAccessChangeRepository],
  exports: [AppAccessChangeService],
})
export class AppAccessChangeModule {}
