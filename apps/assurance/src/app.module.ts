import { messagingTablesMigration } from '@closeloop/messaging';
import { RuntimeModule } from '@closeloop/runtime';
import { type DynamicModule, Global, Module } from '@nestjs/common';

import type { AssuranceConfig } from './config/assurance.config';
import { ASSURANCE_CONFIG } from './config/assurance.config';
import { KpisModule } from './kpis/kpis.module';
import { JourneyMetrics } from './metrics/journey.metrics';
import { CreateJourneys1732190000000 } from './migrations/1732190000000-create-journeys';
import { TrackSteps1732200000000 } from './migrations/1732200000000-track-steps';
import { CreateAuditEntries1732210000000 } from './migrations/1732210000000-create-audit-entries';
import { AddClaims1732220000000 } from './migrations/1732220000000-add-claims';
import { AddCompensation1732230000000 } from './migrations/1732230000000-add-compensation';
import { AddTraceIds1732610000000 } from './migrations/1732610000000-add-trace-ids';
import { TrackingModule } from './tracking/tracking.module';

export const ASSURANCE_SERVICE = {
  name: 'assurance',
  schema: 'assurance',
  consumerGroup: 'closeloop.assurance',
  migrations: [messagingTablesMigration('assurance', 1732180000000), CreateJourneys1732190000000, TrackSteps1732200000000, CreateAuditEntries1732210000000, AddClaims1732220000000, AddCompensation1732230000000, AddTraceIds1732610000000],
  journeyTraceTable: 'journeys',
};

@Global()
@Module({})
export class AppModule {
  static register(config: AssuranceConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [RuntimeModule.forRoot(ASSURANCE_SERVICE, config), TrackingModule, KpisModule],
      providers: [{ provide: ASSURANCE_CONFIG, useValue: config }, JourneyMetrics],
      exports: [ASSURANCE_CONFIG],
    };
  }
}
