import type { SimulatorFaultSettings } from '@closeloop/config';
import { SimulatorModule } from '@closeloop/runtime';
import { type DynamicModule, Module } from '@nestjs/common';

import { DIRECTORY_CONNECTOR } from './directory.connector';
import { SimulatedDirectoryConnector } from './simulated-directory.connector';

/** The connector to the identity directory; the simulator until a real directory is configured. */
@Module({})
export class DirectoryModule {
  static register(initialFaults: SimulatorFaultSettings): DynamicModule {
    return {
      module: DirectoryModule,
      global: true,
      imports: [SimulatorModule.register(initialFaults)],
      providers: [{ provide: DIRECTORY_CONNECTOR, useClass: SimulatedDirectoryConnector }],
      exports: [DIRECTORY_CONNECTOR],
    };
  }
}
