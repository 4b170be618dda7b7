import { Module } from '@nestjs/common';

import { AccessService } from './access.service';
import { AccessRequestRepository } from './access-request.repository';

@Module({
  providers: [AccessService, AccessRequestRepository],
  exports: [AccessService],
})
export class AccessModule {}
