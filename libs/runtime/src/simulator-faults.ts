import { Roles } from '@closeloop/auth';
import { type SimulatorFaultSettings, SimulatorFaultsSchema } from '@closeloop/config';
import { Body, Controller, type DynamicModule, Get, Injectable, Module, Put, type Type } from '@nestjs/common';

import { ZodBodyPipe } from './zod-body.pipe';

export interface ActiveFaults {
  readonly latencyMs: number;
  readonly failProvisioning: boolean;
  readonly readBackDisagrees: boolean;
  readonly rateLimitedCalls: number;
  readonly unavailableCalls: number;
  readonly retryAfterSeconds: number;
}

const NONE: ActiveFaults = { latencyMs: 0, failProvisioning: false, readBackDisagrees: false, rateLimitedCalls: 0, unavailableCalls: 0, retryAfterSeconds: 0 };

@Injectable()
export class SimulatorFaults {
  private settings: SimulatorFaultSettings = SimulatorFaultsSchema.parse({});

  /** Validated settings, from config or from `PUT /simulator/faults`. */
  configure(settings: SimulatorFaultSettings): SimulatorFaultSettings {
    this.settings = SimulatorFaultsSchema.parse(settings);
    return this.settings;
  }

  get current(): SimulatorFaultSettings {
    return this.settings;
  }

  /** The faults that apply to one subject. */
  for(employeeId: string): ActiveFaults {
    const { onlyFor, ...faults } = this.settings;
    return !onlyFor || onlyFor.includes(employeeId) ? faults : NONE;
  }
}

export const pause = (ms: number): Promise<void> => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve());

/** `GET/PUT /simulator/faults`: how tests and the demo inject faults; admins only, and never in production (the service refuses to start with a simulator there). */
@Controller('simulator')
@Roles('admin')
export class SimulatorController {
  constructor(private readonly faults: SimulatorFaults) {}

  @Get('faults')
  get(): SimulatorFaultSettings {
    return this.faults.current;
  }

  @Put('faults')
  put(@Body(new ZodBodyPipe(SimulatorFaultsSchema)) settings: SimulatorFaultSettings): SimulatorFaultSettings {
    return this.faults.configure(settings);
  }
}

/**
 * A domain's connector to its target system, backed by the simulator: provides the connector
 * under its token (available to every module), `SimulatorFaults` set to the initial switches, and
 * the `/simulator/faults` controller.
 */
@Module({})
export class SimulatorModule {
  static register(initialFaults: SimulatorFaultSettings, connector: { provide: symbol; useClass: Type<unknown> }, options: { faultSwitch: boolean } = { faultSwitch: true }): DynamicModule {
    const faults = new SimulatorFaults();
    faults.configure(initialFaults);
    return {
      module: SimulatorModule,
      global: true,
      controllers: options.faultSwitch ? [SimulatorController] : [],
      providers: [{ provide: SimulatorFaults, useValue: faults }, connector],
      exports: [SimulatorFaults, connector.provide],
    };
  }
}
