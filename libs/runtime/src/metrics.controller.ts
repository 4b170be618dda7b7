import { ScrapeEndpoint } from '@closeloop/auth';
import { metricsRegistry } from '@closeloop/observability';
import { Controller, Get, Header } from '@nestjs/common';

/** `GET /metrics`: Prometheus text format (see README "Observability" for the series). */
@Controller('metrics')
@ScrapeEndpoint()
export class MetricsController {
  @Get()
  @Header('Content-Type', metricsRegistry.contentType)
  @Header('Cache-Control', 'no-store')
  metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }
}
