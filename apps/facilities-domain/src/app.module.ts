import { messagingTablesMigration } from '@closeloop/messaging';
import { RuntimeModule, SimulatorModule } from '@closeloop/runtime';
import { type DynamicModule, Module } from '@nestjs/common';

import { ACCESS_CONTROL_CONNECTOR } from './access-control/access-control.connector';
import { SimulatedAccessControlConnector } from './access-control/simulated-access-control.connector';
import type { FacilitiesConfig } from './config/facilities.config';
import { JourneysModule } from './journeys/journeys.module';
import { CreateJourneySteps1796323954274 } from './migrations/1796323954274-create-journey-steps';
import { CreateBadges1796400000000 } from './migrations/1796400000000-create-badges';

/**
 * The service as deploy/services.json lists it. The outbox and inbox come first, at the timestamp
 * every service uses: the libraries' own migrations (1732600000000 and on, run by RuntimeModule)
 * alter those tables, and TypeORM runs migrations in timestamp order.
 */
export const FACILITIES_SERVICE = {
  name: 'facilities-domain',
  schema: 'facilities',
  consumerGroup: 'closeloop.facilities-domain',
  migrations: [messagingTablesMigration('facilities', 1732180000000), CreateJourneySteps1796323954274, CreateBadges1796400000000],
};

@Module({})
export class AppModule {
  static register(config: FacilitiesConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        RuntimeModule.forRoot(FACILITIES_SERVICE, config),
        SimulatorModule.register(config.SIMULATOR_FAULTS, { provide: ACCESS_CONTROL_CONNECTOR, useClass: SimulatedAccessControlConnector }),
        JourneysModule,
      ],
    };
  }
}
