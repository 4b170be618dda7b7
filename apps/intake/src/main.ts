import './tracing';
import 'reflect-metadata';

import { loadConfig } from '@closeloop/config';
import { configureLogging } from '@closeloop/observability';
import { runService } from '@closeloop/runtime';

import { AppModule } from './app.module';
import { IntakeConfigSchema } from './config/intake.config';

const config = loadConfig(IntakeConfigSchema, 'intake');
configureLogging('intake', config.LOG_LEVEL);
void runService({ name: 'intake', module: AppModule.register(config), port: config.PORT, host: config.HOST });
