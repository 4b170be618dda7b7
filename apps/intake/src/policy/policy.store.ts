import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { canonicalJson } from '@closeloop/contracts';
import { createLogger } from '@closeloop/observability';
import { CLOCK, type Clock } from '@closeloop/runtime';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { INTAKE_CONFIG, type IntakeConfig } from '../config/intake.config';
import { parsePolicy, type Policy, PolicyError, validatePolicy } from './policy';

/** How long an instance keeps the active version before it looks again (another instance may have activated a newer one). */
const ACTIVE_TTL_MS = 2000;

/**
 * Policy versions live in intake.policies, immutable once recorded: journeys keep the version
 * they started with and later decisions (exception approvals, attestations) read that version.
 * The active policy is the newest activated version. At start-up the file at POLICY_FILE is
 * recorded when its version is new; a recorded version whose rules differ refuses to start.
 */
@Injectable()
export class PolicyStore implements OnApplicationBootstrap {
  private readonly logger = createLogger(PolicyStore.name);
  private readonly versions = new Map<number, Policy>();
  private active: { policy: Policy; until: number } | null = null;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(INTAKE_CONFIG) private readonly config: IntakeConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const path = resolve(this.config.POLICY_FILE);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new PolicyError(`POLICY_FILE ${path} cannot be read: ${(error as Error).message}`);
    }
    const policy = parsePolicy(text);
    await this.record(policy, `file:${path}`, 'intake start-up', { refuseDifferent: true, activate: false });
    const current = await this.current();
    this.logger.info({ fileVersion: policy.version, activeVersion: current.version }, 'policy loaded');
  }

  /**
   * Records and activates a policy version (PUT /policy). A version already recorded with the
   * same rules is activated again; with other rules it is refused: bump the version.
   */
  async activate(policy: Policy, by: string): Promise<Policy> {
    await this.record(policy, 'api', by, { refuseDifferent: true, activate: true });
    this.active = { policy, until: this.clock.now().getTime() + ACTIVE_TTL_MS };
    return policy;
  }

  /** The policy new journeys are decided by. */
  async current(): Promise<Policy> {
    const now = this.clock.now().getTime();
    if (this.active && this.active.until > now) return this.active.policy;
    const [row] = await this.dataSource.query('SELECT version, document FROM intake.policies ORDER BY activated_at DESC, version DESC LIMIT 1');
    if (!row) throw new PolicyError('no policy recorded');
    const policy = this.versions.get(row.version) ?? validatePolicy(row.document);
    this.versions.set(policy.version, policy);
    this.active = { policy, until: now + ACTIVE_TTL_MS };
    return policy;
  }

  /** A recorded version (versions never change, so they are cached for good). */
  async version(version: number): Promise<Policy> {
    const cached = this.versions.get(version);
    if (cached) return cached;
    const [row] = await this.dataSource.query('SELECT document FROM intake.policies WHERE version = $1', [version]);
    if (!row) throw new PolicyError(`policy version ${version} was never recorded`);
    const policy = validatePolicy(row.document);
    this.versions.set(version, policy);
    return policy;
  }

  private async record(policy: Policy, source: string, by: string, options: { refuseDifferent: boolean; activate: boolean }): Promise<void> {
    // Compared canonically: jsonb does not keep the key order.
    const document = canonicalJson(policy);
    await this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['intake.policies']);
      const [existing] = await manager.query('SELECT document FROM intake.policies WHERE version = $1', [policy.version]);
      // Activation times come from the database clock, under the lock: the last activation wins
      // whatever the clocks of the instances say.
      if (!existing) {
        // A new version from the file becomes active only if it is newer than every recorded one.
        const [{ max }] = await manager.query('SELECT max(version) AS max FROM intake.policies');
        const activate = options.activate || max === null || policy.version > Number(max);
        await manager.query(
          `INSERT INTO intake.policies (version, document, source, activated_by, activated_at)
           VALUES ($1, $2, $3, $4, CASE WHEN $5 THEN clock_timestamp() ELSE '1970-01-01T00:00:00Z'::timestamptz END)`,
          [policy.version, document, source, by, activate],
        );
        return;
      }
      if (options.refuseDifferent && canonicalJson(validatePolicy(existing.document)) !== document) {
        throw new PolicyError(`policy version ${policy.version} is already recorded with different rules; give the changed policy a new version number`);
      }
      if (options.activate) await manager.query('UPDATE intake.policies SET activated_at = clock_timestamp(), activated_by = $2 WHERE version = $1', [policy.version, by]);
    });
    this.versions.set(policy.version, policy);
  }
}
