import { Body, Controller, Get, Put } from '@nestjs/common';
import { BadRequestException } from '@nestjs/common';

import { CurrentPrincipal, type Principal, Roles } from '../auth';
import { PolicyError, validatePolicy } from './policy';
import { PolicyStore } from './policy.store';

/** The active access policy, and how an admin activates a new version. */
@Controller('policy')
export class PolicyController {
  constructor(private readonly policies: PolicyStore) {}

  @Get()
  @Roles('admin', 'auditor', 'approver', 'operator')
  async active() {
    return this.policies.current();
  }

  /**
   * Activates a policy version for new journeys (the policy as a JSON body; the YAML file is read
   * at start-up). Journeys in flight keep the version they started with.
   */
  @Put()
  @Roles('admin')
  async activate(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    try {
      const policy = validatePolicy(body);
      const active = await this.policies.activate(policy, principal.id);
      return { version: active.version, rules: active.rules.map((r) => r.id) };
    } catch (error) {
      if (error instanceof PolicyError) throw new BadRequestException(error.message);
      throw error;
    }
  }
}
