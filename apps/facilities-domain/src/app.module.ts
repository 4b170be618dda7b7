import { messagingTablesMigration } from '@closeloop/messaging';
import { RuntimeModule } from '@closeloop/runtime';
import { type DynamicModule, Module } from '@nestjs/common';

import type { FacilitiesConfig } from './config/facilities.config';
import { JourneysModule } from './journeys/journeys.module';
import { CreateJourneySteps1796323954274 } from './migrations/1796323954274-create-journey-steps';

/**
 * The service as deploy/services.json lists it. The outbox and inbox come first, at the timestamp
 * every service uses: the libraries' own migrations (1732600000000 and on, run by RuntimeModule)
 * alter those tables, and TypeORM runs migrations in timestamp order.
 */
export const FACILITIES_SERVICE = {
  name: 'facilities-domain',
  schema: 'facilities',
  consumerGroup: 'closeloop.facilities-domain',
  migrations: [messagingTablesMigration('facilities', 1732180000000), CreateJourneySteps1796323954274],
};

@Module({})
export class AppModule {
  static register(config: FacilitiesConfig): DynamicModule {
    return {
      module: AppModule,
      // A connector to a target system joins here, e.g. SimulatorModule.register(...) as in
      // apps/device-domain/src/app.module.ts (docs/add-a-domain-service.md, "The first step").
      imports: [RuntimeModule.forRoot(FACILITIES_SERVICE, config), JourneysModule],
    };
  }
}
