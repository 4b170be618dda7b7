import { Module } from '@nestjs/common';

import { JourneyRepository } from './journey.repository';
import { JourneysController } from './journeys.controller';
import { JourneysService } from './journeys.service';
import { VerdictsHandler } from './verdicts.handler';

@Module({
  controllers: [JourneysController, VerdictsHandler],
  providers: [JourneysService, JourneyRepository],
})
export class JourneysModule {}
