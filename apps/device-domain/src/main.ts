import './tracing';
import 'reflect-metadata';

import { loadConfig } from '@closeloop/config';
import { configureLogging } from '@closeloop/observability';
import { runService } from '@closeloop/runtime';

import { AppModule } from './app.module';
import { DeviceConfigSchema } from './config/device.config';

const config = loadConfig(DeviceConfigSchema, 'device-domain');
configureLogging('device-domain', config.LOG_LEVEL);
void runService({ name: 'device-domain', module: AppModule.register(config), port: config.PORT, host: config.HOST });
