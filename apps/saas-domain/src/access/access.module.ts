import { Module } from '@nestjs/common';

import { AccessHandler } from './access.handler';
import { AccessService } from './access.service';
import { AccessRequestRepository } from './access-request.repository';

@Module({
  controllers: [AccessHandler],
  providers: [AccessService, AccessRequestRepository],
})
export class AccessModule {}
