import { Global, Module } from '@nestjs/common';

import { ITSM_CONNECTOR } from './itsm.connector';
import { SimulatedItsmConnector } from './simulated-itsm.connector';

/** The ITSM connector, for every module; the shipped implementation is the simulator. */
@Global()
@Module({
  providers: [{ provide: ITSM_CONNECTOR, useClass: SimulatedItsmConnector }],
  exports: [ITSM_CONNECTOR],
})
export class ItsmModule {}
