import type { RawMessage } from '@closeloop/messaging';
import { createLogger } from '@closeloop/observability';
import { Inject, Injectable } from '@nestjs/common';

import { IntakeError } from '../journeys/journeys.errors';
import { JourneysService } from '../journeys/journeys.service';
import { decideRequestItem } from './servicenow.domain';
import type { UpstreamDecision, UpstreamSource } from './upstream.domain';
import { refusal, UpstreamRecordError } from './upstream.errors';
import { UPSTREAM_MAPPINGS, type UpstreamMappings } from './upstream-mappings';
import { decideWorkdayEvent } from './workday.domain';

const DECIDE: Record<UpstreamSource, (text: string, mappings: UpstreamMappings) => UpstreamDecision> = {
  workday: decideWorkdayEvent,
  servicenow: decideRequestItem,
};

/**
 * Turns the records of upstream HR and ITSM systems into journeys. Each record starts its
 * journey through `JourneysService.submit` with the record's upstream ID as idempotency key, so a
 * redelivered or republished record returns the journey it started and starts nothing new.
 * Records intake cannot act on raise an `UpstreamRecordError`, which dead-letters them.
 */
@Injectable()
export class UpstreamService {
  private readonly logger = createLogger(UpstreamService.name);

  constructor(
    private readonly journeys: JourneysService,
    @Inject(UPSTREAM_MAPPINGS) private readonly mappings: UpstreamMappings,
  ) {}

  /**
   * Handles one partition's messages in order. Every message is mapped before any journey starts:
   * a bad one fails the batch at once, and the transport then hands the messages over one by one
   * (the journeys started already are replays), so only the bad one is dead-lettered.
   */
  async handle(source: UpstreamSource, messages: readonly RawMessage[]): Promise<void> {
    const decisions = messages.map((message) => ({ message, decision: DECIDE[source](message.value, this.mappings) }));
    for (const { decision } of decisions) {
      if (decision.kind === 'refused') throw new UpstreamRecordError('UPSTREAM_RECORD_INVALID', decision.reason);
    }
    for (const { message, decision } of decisions) {
      const at = { source, topic: message.topic, partition: message.partition, offset: message.offset };
      if (decision.kind === 'nothing-to-do') {
        this.logger.info({ ...at, record: decision.record, reason: decision.reason }, 'upstream record needs no journey');
      } else if (decision.kind === 'start') {
        try {
          const { journey, created } = await this.journeys.submit(decision.request, decision.idempotencyKey);
          this.logger.info(
            { ...at, record: decision.record, requestId: journey.requestId, journeyType: journey.journeyType, replayed: !created },
            created ? 'upstream record started a journey' : 'upstream record seen before: its journey goes on',
          );
        } catch (error) {
          if (error instanceof IntakeError) throw refusal(decision.record, error);
          throw error;
        }
      }
    }
  }
}
