import './tracing';
import 'reflect-metadata';

import { loadConfig } from '@closeloop/config';
import { configureLogging } from '@closeloop/observability';
import { runService } from '@closeloop/runtime';

import { AppModule } from './app.module';
import { SaasConfigSchema } from './config/saas.config';

const config = loadConfig(SaasConfigSchema, 'saas-domain');
configureLogging('saas-domain', config.LOG_LEVEL);
void runService({ name: 'saas-domain', module: AppModule.register(config), port: config.PORT, host: config.HOST });
