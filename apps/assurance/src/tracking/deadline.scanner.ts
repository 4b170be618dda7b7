import { errorMessage } from '@closeloop/database';
import { createLogger } from '@closeloop/observability';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';

import { ASSURANCE_CONFIG, type AssuranceConfig } from '../config/assurance.config';
import { TrackingService } from './tracking.service';

/**
 * Looks for missed deadlines and due retries every DEADLINE_SCAN_MS. The deadlines live in
 * PostgreSQL, so a restarted instance loses none; a full page is followed at once by the next.
 */
@Injectable()
export class DeadlineScanner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = createLogger(DeadlineScanner.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly tracking: TrackingService,
    @Inject(ASSURANCE_CONFIG) private readonly config: AssuranceConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.scan().finally(() => (this.running = undefined));
    }, this.config.DEADLINE_SCAN_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  private async scan(): Promise<void> {
    try {
      while ((await this.tracking.scanDeadlines()) === 200) {
        /* a full page: there may be more due */
      }
    } catch (error) {
      this.logger.error({ err: errorMessage(error) }, 'deadline scan failed; next tick retries');
    }
  }
}
