import { type DynamicModule, Module } from '@nestjs/common';

import { ApprovalScanner } from '../approvals/approval.scanner';
import { ApprovalTaskRepository } from '../approvals/approval-task.repository';
import { ApprovalsController } from '../approvals/approvals.controller';
import { ApprovalsService } from '../approvals/approvals.service';
import { INTAKE_CONFIG, type IntakeConfig } from '../config/intake.config';
import { DefinitionStore } from '../definitions/definition.store';
import { DefinitionsController } from '../definitions/definitions.controller';
import { PolicyController } from '../policy/policy.controller';
import { PolicyStore } from '../policy/policy.store';
import { JourneyRepository } from './journey.repository';
import { JourneysController } from './journeys.controller';
import { JourneysService } from './journeys.service';
import { VerdictsHandler } from './verdicts.handler';

/** Journeys, the definitions they run by, the policy that decides their control pattern, and the approval tasks people decide. */
@Module({})
export class JourneysModule {
  private static readonly registered = new WeakMap<IntakeConfig, DynamicModule>();

  /**
   * The same module object for the same config: Nest 11 tells dynamic modules apart by
   * reference, and a second instance would run a second approval scanner and policy store.
   */
  static register(config: IntakeConfig): DynamicModule {
    const known = JourneysModule.registered.get(config);
    if (known) return known;
    const module: DynamicModule = {
      module: JourneysModule,
      controllers: [JourneysController, ApprovalsController, PolicyController, DefinitionsController, VerdictsHandler],
      providers: [
        { provide: INTAKE_CONFIG, useValue: config },
        JourneysService,
        JourneyRepository,
        PolicyStore,
        DefinitionStore,
        ApprovalsService,
        ApprovalTaskRepository,
        ApprovalScanner,
      ],
      exports: [JourneysService],
    };
    JourneysModule.registered.set(config, module);
    return module;
  }
}
