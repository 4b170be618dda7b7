import { messagingTablesMigration } from '@closeloop/messaging';
import { RuntimeModule } from '@closeloop/runtime';
import { type DynamicModule, Module } from '@nestjs/common';

import { ApiKeyEntity } from './auth/api-key.entity';
import { ApiKeysModule } from './auth/auth.module';
import { INTAKE_CONFIG, type IntakeConfig } from './config/intake.config';
import { JourneyEntity } from './journeys/journey.entity';
import { JourneysModule } from './journeys/journeys.module';
import { CreateJourneys1732190000000 } from './migrations/1732190000000-create-journeys';
import { OneLiveNewHire1732240000000 } from './migrations/1732240000000-one-live-new-hire';
import { CreateAuthTables1732270000000 } from './migrations/1732270000000-create-auth-tables';
import { PoliciesAndApprovals1732300000000 } from './migrations/1732300000000-policies-and-approvals';
import { AddTraceIds1732610000000 } from './migrations/1732610000000-add-trace-ids';
import { RejectedFreesTheEmployee1732620000000 } from './migrations/1732620000000-rejected-frees-the-employee';
import { JourneysOwnWhatTheyCreate1732800000000 } from './migrations/1732800000000-journeys-own-what-they-create';
import { JourneyDefinitions1733230000000 } from './migrations/1733230000000-journey-definitions';
import { UpstreamModule } from './upstream/upstream.module';

export const INTAKE_SERVICE = {
  name: 'intake',
  schema: 'intake',
  consumerGroup: 'closeloop.intake',
  migrations: [messagingTablesMigration('intake', 1732180000000), CreateJourneys1732190000000, OneLiveNewHire1732240000000, CreateAuthTables1732270000000, PoliciesAndApprovals1732300000000, AddTraceIds1732610000000, RejectedFreesTheEmployee1732620000000, JourneysOwnWhatTheyCreate1732800000000, JourneyDefinitions1733230000000],
  entities: [JourneyEntity, ApiKeyEntity],
  journeyTraceTable: 'journeys',
};

@Module({})
export class AppModule {
  static register(config: IntakeConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [RuntimeModule.forRoot(INTAKE_SERVICE, config), ApiKeysModule, JourneysModule.register(config), UpstreamModule.register(config)],
      providers: [{ provide: INTAKE_CONFIG, useValue: config }],
    };
  }
}
