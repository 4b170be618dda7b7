import { resolve } from 'node:path';

import { createLogger } from '@closeloop/observability';
import { type DynamicModule, Module } from '@nestjs/common';

import type { IntakeConfig } from '../config/intake.config';
import { JourneysModule } from '../journeys/journeys.module';
import { UpstreamHandler } from './upstream.handler';
import { UpstreamService } from './upstream.service';
import { loadUpstreamMappings, UPSTREAM_MAPPINGS } from './upstream-mappings';
import { UpstreamTopics } from './upstream-topics';

/** Journeys from upstream HR (Workday) and ITSM (ServiceNow) systems, consumed from their topics. */
@Module({})
export class UpstreamModule {
  static register(config: IntakeConfig): DynamicModule {
    return {
      module: UpstreamModule,
      imports: [JourneysModule.register(config)],
      controllers: [UpstreamHandler],
      providers: [
        {
          provide: UPSTREAM_MAPPINGS,
          useFactory: () => {
            const mappings = loadUpstreamMappings(resolve(config.UPSTREAM_MAPPINGS_FILE));
            createLogger(UpstreamModule.name).info(
              { file: config.UPSTREAM_MAPPINGS_FILE, version: mappings.version, jobProfiles: mappings.jobProfiles.size, catalogueItems: mappings.catalogueItems.size },
              'upstream mappings loaded',
            );
            return mappings;
          },
        },
        UpstreamService,
        UpstreamTopics,
      ],
    };
  }
}
