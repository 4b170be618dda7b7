import { SERVICENOW_REQUEST_ITEMS_TOPIC, WORKDAY_WORKER_EVENTS_TOPIC } from '@closeloop/contracts';
import { EventHandlers, RAW_MESSAGES, type RawMessageBatch } from '@closeloop/messaging';
import { EventPattern, Payload } from '@nestjs/microservices';

import { UpstreamService } from './upstream.service';

/** The upstream systems' own topics: their messages are not Closeloop envelopes. */
@EventHandlers()
export class UpstreamHandler {
  constructor(private readonly upstream: UpstreamService) {}

  @EventPattern(WORKDAY_WORKER_EVENTS_TOPIC, RAW_MESSAGES)
  async onWorkerEvents(@Payload() batch: RawMessageBatch): Promise<void> {
    await this.upstream.handle('workday', batch.messages);
  }

  @EventPattern(SERVICENOW_REQUEST_ITEMS_TOPIC, RAW_MESSAGES)
  async onRequestItems(@Payload() batch: RawMessageBatch): Promise<void> {
    await this.upstream.handle('servicenow', batch.messages);
  }
}
