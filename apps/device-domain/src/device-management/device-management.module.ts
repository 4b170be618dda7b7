import type { SimulatorFaultSettings } from '@closeloop/config';
import { SimulatorModule } from '@closeloop/runtime';
import { type DynamicModule, Module } from '@nestjs/common';

import { DEVICE_MANAGEMENT_CONNECTOR } from './device-management.connector';
import { SimulatedDeviceManagementConnector } from './simulated-device-management.connector';

/** The connector to device management; the simulator until a real MDM is configured. */
@Module({})
export class DeviceManagementModule {
  static register(initialFaults: SimulatorFaultSettings): DynamicModule {
    return {
      module: DeviceManagementModule,
      global: true,
      imports: [SimulatorModule.register(initialFaults)],
      providers: [{ provide: DEVICE_MANAGEMENT_CONNECTOR, useClass: SimulatedDeviceManagementConnector }],
      exports: [DEVICE_MANAGEMENT_CONNECTOR],
    };
  }
}
