import './tracing';
import 'reflect-metadata';

import { loadConfig } from '@closeloop/config';
import { configureLogging } from '@closeloop/observability';
import { runService } from '@closeloop/runtime';

import { AppModule } from './app.module';
import { IdentityConfigSchema } from './config/identity.config';

const config = loadConfig(IdentityConfigSchema, 'identity-domain');
configureLogging('identity-domain', config.LOG_LEVEL);
void runService({ name: 'identity-domain', module: AppModule.register(config), port: config.PORT, host: config.HOST });
