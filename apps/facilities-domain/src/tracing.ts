/** OpenTelemetry starts before Nest, express, pg and kafkajs load: main.ts imports this file first. */
import { startTracing } from '@closeloop/observability';

startTracing('facilities-domain');
