import { Module } from '@nestjs/common';

import { JourneyEventsHandler } from './journey-events.handler';

/**
 * facilities's steps of every journey type, behind one set of event handlers. The first step's
 * feature module joins `imports` (docs/add-a-domain-service.md, "The first step").
 */
@Module({
  imports: [],
  controllers: [JourneyEventsHandler],
})
export class JourneysModule {}
