import './tracing';
import 'reflect-metadata';

import { loadConfig } from '@closeloop/config';
import { configureLogging } from '@closeloop/observability';
import { runService } from '@closeloop/runtime';

import { AppModule } from './app.module';
import { FacilitiesConfigSchema } from './config/facilities.config';

const config = loadConfig(FacilitiesConfigSchema, 'facilities-domain');
configureLogging('facilities-domain', config.LOG_LEVEL);
void runService({ name: 'facilities-domain', module: AppModule.register(config), port: config.PORT, host: config.HOST });
