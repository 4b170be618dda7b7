import { messagingTablesMigration } from '@closeloop/messaging';
import { RuntimeModule } from '@closeloop/runtime';
import { type DynamicModule, Module } from '@nestjs/common';

import type { DeviceConfig } from './config/device.config';
import { DeviceManagementModule } from './device-management/device-management.module';
import { EnrolmentModule } from './enrolment/enrolment.module';
import { CreateDeviceAssignments1732190000000 } from './migrations/1732190000000-create-device-assignments';

export const DEVICE_SERVICE = {
  name: 'device-domain',
  schema: 'device',
  consumerGroup: 'closeloop.device-domain',
  migrations: [messagingTablesMigration('device', 1732180000000), CreateDeviceAssignments1732190000000],
};

@Module({})
export class AppModule {
  static register(config: DeviceConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [RuntimeModule.forRoot(DEVICE_SERVICE, config), DeviceManagementModule.register(config.SIMULATOR_FAULTS), EnrolmentModule],
    };
  }
}
