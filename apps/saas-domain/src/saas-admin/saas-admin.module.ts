import type { SimulatorFaultSettings } from '@closeloop/config';
import { SimulatorModule } from '@closeloop/runtime';
import { type DynamicModule, Module } from '@nestjs/common';

import { SAAS_ADMIN_CONNECTOR } from './saas-admin.connector';
import { SimulatedSaasAdminConnector } from './simulated-saas-admin.connector';

/** The connector to the SaaS admin tools; the simulator until real ones are configured. */
@Module({})
export class SaasAdminModule {
  static register(initialFaults: SimulatorFaultSettings): DynamicModule {
    return {
      module: SaasAdminModule,
      global: true,
      imports: [SimulatorModule.register(initialFaults)],
      providers: [{ provide: SAAS_ADMIN_CONNECTOR, useClass: SimulatedSaasAdminConnector }],
      exports: [SAAS_ADMIN_CONNECTOR],
    };
  }
}
