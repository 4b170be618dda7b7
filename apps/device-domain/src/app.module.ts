import { messagingTablesMigration } from '@closeloop/messaging';
import { RuntimeModule, SimulatorModule } from '@closeloop/runtime';
import { type DynamicModule, Module } from '@nestjs/common';

import type { DeviceConfig } from './config/device.config';
import { DEVICE_MANAGEMENT_CONNECTOR } from './device-management/device-management.connector';
import { SimulatedDeviceManagementConnector } from './device-management/simulated-device-management.connector';
import { ItsmModule } from './itsm/itsm.module';
import { JourneysModule } from './journeys/journeys.module';
import { CreateDeviceAssignments1732190000000 } from './migrations/1732190000000-create-device-assignments';
import { CreateReplacements1732280000000 } from './migrations/1732280000000-create-replacements';
import { NewHireDevicesPerJourney1732800000000 } from './migrations/1732800000000-new-hire-devices-per-journey';
import { CreateOffboardings1733100000000 } from './migrations/1733100000000-create-offboardings';

export const DEVICE_SERVICE = {
  name: 'device-domain',
  schema: 'device',
  consumerGroup: 'closeloop.device-domain',
  migrations: [messagingTablesMigration('device', 1732180000000), CreateDeviceAssignments1732190000000, CreateReplacements1732280000000, NewHireDevicesPerJourney1732800000000, CreateOffboardings1733100000000],
};

@Module({})
export class AppModule {
  static register(config: DeviceConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [RuntimeModule.forRoot(DEVICE_SERVICE, config), SimulatorModule.register(config.SIMULATOR_FAULTS, { provide: DEVICE_MANAGEMENT_CONNECTOR, useClass: SimulatedDeviceManagementConnector }), ItsmModule, JourneysModule],
    };
  }
}
