import { messagingTablesMigration } from '@closeloop/messaging';
import { RuntimeModule, SimulatorModule } from '@closeloop/runtime';
import { type DynamicModule, Module } from '@nestjs/common';

import type { SaasConfig } from './config/saas.config';
import { JourneysModule } from './journeys/journeys.module';
import { CreateAccessRequests1732190000000 } from './migrations/1732190000000-create-access-requests';
import { CreateAccessChangesAndLicences1732280000000 } from './migrations/1732280000000-create-access-changes-and-licences';
import { CreateScimSimulator1732286000000 } from './migrations/1732286000000-create-scim-simulator';
import { JourneysUndoOnlyTheirOwn1732800000000 } from './migrations/1732800000000-journeys-undo-only-their-own';
import { KeepVerifiedEvent1732900000000 } from './migrations/1732900000000-keep-verified-event';
import { CreateOffboardings1733000000000 } from './migrations/1733000000000-create-offboardings';
import { SAAS_ADMIN_CONNECTOR } from './saas-admin/saas-admin.connector';
import { ScimSaasAdminConnector } from './saas-admin/scim-saas-admin.connector';
import { ScimSimulatorModule } from './scim-simulator/scim-simulator.module';

export const SAAS_SERVICE = {
  name: 'saas-domain',
  schema: 'saas',
  consumerGroup: 'closeloop.saas-domain',
  migrations: [messagingTablesMigration('saas', 1732180000000), CreateAccessRequests1732190000000, CreateAccessChangesAndLicences1732280000000, CreateScimSimulator1732286000000, JourneysUndoOnlyTheirOwn1732800000000, KeepVerifiedEvent1732900000000, CreateOffboardings1733000000000],
};

@Module({})
export class AppModule {
  static register(config: SaasConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        RuntimeModule.forRoot(SAAS_SERVICE, config),
        SimulatorModule.register(config.SIMULATOR_FAULTS, { provide: SAAS_ADMIN_CONNECTOR, useClass: ScimSaasAdminConnector }, { faultSwitch: config.SIMULATOR === 'on' }),
        // The SCIM simulator only where it may run (never with NODE_ENV=production: see the config).
        ...(config.SIMULATOR === 'on' ? [ScimSimulatorModule.register({ token: config.SAAS_SCIM_SIMULATOR_TOKEN })] : []),
        JourneysModule,
      ],
    };
  }
}
