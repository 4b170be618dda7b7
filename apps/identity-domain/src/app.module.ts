import { messagingTablesMigration } from '@closeloop/messaging';
import { RuntimeModule, SimulatorModule } from '@closeloop/runtime';
import { type DynamicModule, Module } from '@nestjs/common';

import type { IdentityConfig } from './config/identity.config';
import { DIRECTORY_CONNECTOR } from './directory/directory.connector';
import { SimulatedDirectoryConnector } from './directory/simulated-directory.connector';
import { JourneysModule } from './journeys/journeys.module';
import { CreateAccounts1732190000000 } from './migrations/1732190000000-create-accounts';
import { CreateAccountSteps1732280000000 } from './migrations/1732280000000-create-account-steps';
import { JourneysUndoOnlyTheirOwn1732800000000 } from './migrations/1732800000000-journeys-undo-only-their-own';
import { OffboardAccounts1733000000000 } from './migrations/1733000000000-offboard-accounts';

export const IDENTITY_SERVICE = {
  name: 'identity-domain',
  schema: 'identity',
  consumerGroup: 'closeloop.identity-domain',
  migrations: [
    messagingTablesMigration('identity', 1732180000000),
    CreateAccounts1732190000000,
    CreateAccountSteps1732280000000,
    JourneysUndoOnlyTheirOwn1732800000000,
    OffboardAccounts1733000000000,
  ],
};

@Module({})
export class AppModule {
  static register(config: IdentityConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [RuntimeModule.forRoot(IDENTITY_SERVICE, config), SimulatorModule.register(config.SIMULATOR_FAULTS, { provide: DIRECTORY_CONNECTOR, useClass: SimulatedDirectoryConnector }), JourneysModule],
    };
  }
}
