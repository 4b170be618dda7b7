import { Global, Module } from '@nestjs/common';

import { ITSM_CONNECTOR } from './itsm.connector';
import { SimulatedItsmConnector } from './simulated-itsm.connector';
import { SimulatedItsmController } from './simulated-itsm.controller';

/** The ITSM connector, for every module; the shipped implementation is the simulator, with its own door for tests and the demo. */
@Global()
@Module({
  controllers: [SimulatedItsmController],
  providers: [{ provide: ITSM_CONNECTOR, useClass: SimulatedItsmConnector }],
  exports: [ITSM_CONNECTOR],
})
export class ItsmModule {}
