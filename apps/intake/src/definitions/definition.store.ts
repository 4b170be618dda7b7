import {
  canonicalJson,
  definitionDocument,
  EVENT_CONTRACTS,
  JOURNEY_DEFINITIONS,
  type JourneyDefinition,
  type JourneyDefinitionDocument,
  type JourneyType,
  parseJourneyDefinition,
} from '@closeloop/contracts';
import { createLogger } from '@closeloop/observability';
import { CLOCK, type Clock } from '@closeloop/runtime';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

import { IntakeError } from '../journeys/journeys.errors';
import { DefinitionError } from './definitions.errors';

/** How long an instance keeps the active versions before it looks again (another instance may have changed them). */
const ACTIVE_TTL_MS = 2000;

export interface DefinitionRecord {
  readonly type: JourneyType;
  readonly version: number;
  readonly active: boolean;
  readonly source: string;
  readonly registeredBy: string;
  readonly registeredAt: string;
  readonly changedBy: string;
  readonly changedAt: string;
  readonly document: JourneyDefinitionDocument;
}

interface Row {
  journey_type: JourneyType;
  version: number;
  document: JourneyDefinitionDocument;
  source: string;
  registered_by: string;
  registered_at: Date;
  active: boolean;
  changed_by: string;
  changed_at: Date;
}

const toRecord = (row: Row): DefinitionRecord => ({
  type: row.journey_type,
  version: row.version,
  active: row.active,
  source: row.source,
  registeredBy: row.registered_by,
  registeredAt: row.registered_at.toISOString(),
  changedBy: row.changed_by,
  changedAt: row.changed_at.toISOString(),
  document: row.document,
});

/**
 * The journey definition registry (intake.journey_definitions). A definition is data: its owning
 * team registers a version (checked against the event contracts intake knows), then activates
 * it; new journeys start on the newest active version of their type (or on an active version
 * they name), and carry that definition in their `journey.requested`, so every participant and
 * assurance run them by it. Versions never change once registered: registering the same version
 * with another document is refused. Retiring a version stops new journeys on it; journeys in
 * flight keep theirs. At start-up the definitions shipped in libs/contracts are registered, in
 * version order; one becomes active only when its type has no active version yet (a fresh
 * database): a later shipped version waits for an admin to activate it.
 */
@Injectable()
export class DefinitionStore implements OnApplicationBootstrap {
  private readonly logger = createLogger(DefinitionStore.name);
  private readonly versions = new Map<string, JourneyDefinition>();
  private active: { byType: Map<JourneyType, JourneyDefinition[]>; until: number } | null = null;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const definition of [...JOURNEY_DEFINITIONS].sort((a, b) => a.version - b.version)) await this.record(definitionDocument(definition), 'shipped', 'intake start-up', { shipped: true });
    const active = await this.activeByType();
    this.logger.info({ active: Object.fromEntries([...active].map(([type, defs]) => [type, defs.map((d) => d.version)])) }, 'journey definitions loaded');
  }

  /** Registers a version (not active yet). The same document again is a no-op; another document for a recorded version is refused. */
  async register(document: unknown, by: string): Promise<{ record: DefinitionRecord; created: boolean }> {
    const definition = this.check(document);
    const created = await this.record(definitionDocument(definition), 'api', by, { shipped: false });
    return { record: (await this.find(definition.type, definition.version)) as DefinitionRecord, created };
  }

  /** New journeys of the type may start on this version; without a version named, the newest active one. */
  activate(type: JourneyType, version: number, by: string): Promise<DefinitionRecord> {
    return this.setActive(type, version, true, by);
  }

  /** No new journey starts on this version any more; those in flight keep it. */
  retire(type: JourneyType, version: number, by: string): Promise<DefinitionRecord> {
    return this.setActive(type, version, false, by);
  }

  async list(): Promise<DefinitionRecord[]> {
    const rows: Row[] = await this.dataSource.query('SELECT * FROM intake.journey_definitions ORDER BY journey_type, version');
    return rows.map(toRecord);
  }

  async find(type: JourneyType, version: number): Promise<DefinitionRecord | undefined> {
    const [row]: Row[] = await this.dataSource.query('SELECT * FROM intake.journey_definitions WHERE journey_type = $1 AND version = $2', [type, version]);
    return row ? toRecord(row) : undefined;
  }

  /**
   * The definition a new journey starts on: the version it names, which must be active, or the
   * newest active version of its type.
   */
  async forNewJourney(type: JourneyType, version?: number): Promise<JourneyDefinition> {
    const active = (await this.activeByType()).get(type) ?? [];
    if (version === undefined) {
      const newest = active[0];
      if (!newest) throw new IntakeError('NO_ACTIVE_DEFINITION', `no ${type} journey definition is active: an admin activates one (POST /definitions/${type}/<version>/activate)`);
      return newest;
    }
    const named = active.find((d) => d.version === version);
    if (!named) {
      const versions = active.map((d) => `v${d.version}`).join(', ') || 'none';
      throw new IntakeError('DEFINITION_NOT_ACTIVE', `definitionVersion: ${type} v${version} is not an active definition (active: ${versions})`);
    }
    return named;
  }

  /** A recorded version, whether active or not (versions never change, so they are cached for good). */
  async version(type: JourneyType, version: number): Promise<JourneyDefinition> {
    const key = `${type}@${version}`;
    const cached = this.versions.get(key);
    if (cached) return cached;
    const record = await this.find(type, version);
    if (!record) throw new DefinitionError('DEFINITION_NOT_FOUND', `${type} v${version} was never registered`);
    const definition = this.check(record.document);
    this.versions.set(key, definition);
    return definition;
  }

  private check(document: unknown): JourneyDefinition {
    const parsed = parseJourneyDefinition(document, EVENT_CONTRACTS);
    if (!parsed.ok) throw new DefinitionError('INVALID_DEFINITION', `the definition is not valid: ${parsed.problems.join('; ')}`, parsed.problems);
    return parsed.definition;
  }

  private async activeByType(): Promise<Map<JourneyType, JourneyDefinition[]>> {
    const now = this.clock.now().getTime();
    if (this.active && this.active.until > now) return this.active.byType;
    const rows: Array<{ journey_type: JourneyType; version: number }> = await this.dataSource.query(
      'SELECT journey_type, version FROM intake.journey_definitions WHERE active ORDER BY journey_type, version DESC',
    );
    const byType = new Map<JourneyType, JourneyDefinition[]>();
    for (const row of rows) byType.set(row.journey_type, [...(byType.get(row.journey_type) ?? []), await this.version(row.journey_type, row.version)]);
    this.active = { byType, until: now + ACTIVE_TTL_MS };
    return byType;
  }

  private async setActive(type: JourneyType, version: number, active: boolean, by: string): Promise<DefinitionRecord> {
    const rows: Row[] = await this.dataSource.query(
      // In a WITH: TypeORM answers an UPDATE with [rows, count], a SELECT with the rows.
      `WITH changed AS (
         UPDATE intake.journey_definitions SET active = $3, changed_by = $4, changed_at = clock_timestamp()
         WHERE journey_type = $1 AND version = $2 RETURNING *)
       SELECT * FROM changed`,
      [type, version, active, by],
    );
    const [row] = rows;
    if (!row) throw new DefinitionError('DEFINITION_NOT_FOUND', `${type} v${version} was never registered: register it first (POST /definitions)`);
    this.active = null;
    this.logger.info({ journeyType: type, version, active, by }, active ? 'journey definition activated' : 'journey definition retired');
    return toRecord(row);
  }

  private async record(document: JourneyDefinitionDocument, source: string, by: string, options: { shipped: boolean }): Promise<boolean> {
    // Compared canonically: jsonb does not keep the key order.
    const text = canonicalJson(document);
    const created = await this.dataSource.transaction(async (manager: EntityManager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['intake.journey_definitions']);
      const [existing]: Row[] = await manager.query('SELECT * FROM intake.journey_definitions WHERE journey_type = $1 AND version = $2', [document.type, document.version]);
      if (existing) {
        if (canonicalJson(existing.document) !== text) {
          throw new DefinitionError(
            'DEFINITION_VERSION_EXISTS',
            `${document.type} v${document.version} is already registered with another document; versions never change: register the change as a new version`,
          );
        }
        return false;
      }
      // A shipped version becomes active only when its type has none active.
      const [{ active }] = await manager.query('SELECT bool_or(active) AS active FROM intake.journey_definitions WHERE journey_type = $1', [document.type]);
      const activate = options.shipped && active !== true;
      await manager.query(
        `INSERT INTO intake.journey_definitions (journey_type, version, document, source, registered_by, active, changed_by)
         VALUES ($1, $2, $3, $4, $5, $6, $5)`,
        [document.type, document.version, text, source, by, activate],
      );
      return true;
    });
    if (created) this.active = null;
    return created;
  }
}
