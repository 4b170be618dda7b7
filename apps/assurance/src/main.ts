import './tracing';
import 'reflect-metadata';

import { loadConfig } from '@closeloop/config';
import { configureLogging } from '@closeloop/observability';
import { runService } from '@closeloop/runtime';

import { AppModule } from './app.module';
import { AssuranceConfigSchema } from './config/assurance.config';

const config = loadConfig(AssuranceConfigSchema, 'assurance');
configureLogging('assurance', config.LOG_LEVEL);
void runService({ name: 'assurance', module: AppModule.register(config), port: config.PORT, host: config.HOST });
