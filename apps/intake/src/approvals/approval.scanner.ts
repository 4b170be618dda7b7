import { errorMessage } from '@closeloop/database';
import { createLogger } from '@closeloop/observability';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';

import { INTAKE_CONFIG, type IntakeConfig } from '../config/intake.config';
import { ApprovalsService, SCAN_PAGE } from './approvals.service';

/** Every APPROVAL_SCAN_MS: reminders, escalations to fallback groups, expiries. Deadlines live in PostgreSQL. */
@Injectable()
export class ApprovalScanner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = createLogger(ApprovalScanner.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly approvals: ApprovalsService,
    @Inject(INTAKE_CONFIG) private readonly config: IntakeConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.scan().finally(() => (this.running = undefined));
    }, this.config.APPROVAL_SCAN_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  private async scan(): Promise<void> {
    try {
      while ((await this.approvals.scan()) >= SCAN_PAGE) {
        /* a full page: there may be more due */
      }
    } catch (error) {
      this.logger.error({ err: errorMessage(error) }, 'approval scan failed; next tick retries');
    }
  }
}
