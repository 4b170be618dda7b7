import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The outbox and inbox tables of one service's schema. */
export const messagingTablesMigration = (schema: string, timestamp: number): new () => MigrationInterface => {
  const name = `MessagingTables${timestamp}`;
  const migration = class implements MigrationInterface {
    name = name;

    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`CREATE TABLE "${schema}".outbox_messages (
        seq bigserial PRIMARY KEY,
        id uuid NOT NULL UNIQUE,
        topic text NOT NULL,
        key text NOT NULL,
        headers jsonb NOT NULL DEFAULT '{}'::jsonb,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
      await runner.query(`CREATE TABLE "${schema}".inbox_messages (
        consumer text NOT NULL,
        event_id uuid NOT NULL,
        handled_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      )`);
    }

    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`DROP TABLE "${schema}".inbox_messages`);
      await runner.query(`DROP TABLE "${schema}".outbox_messages`);
    }
  };
  Object.defineProperty(migration, 'name', { value: name });
  return migration;
};

/**
 * `outbox_messages.trace_context`: the W3C trace context an outgoing event continues, stored
 * with the row so that the relay's send span, and the `traceparent` header it puts on the Kafka
 * message, continue the trace of whatever added the row. The runtime adds it to every service.
 */
export const outboxTraceContextMigration = (schema: string, timestamp: number): new () => MigrationInterface => {
  const name = `OutboxTraceContext${timestamp}`;
  const migration = class implements MigrationInterface {
    name = name;

    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`ALTER TABLE "${schema}".outbox_messages ADD COLUMN trace_context jsonb`);
    }

    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`ALTER TABLE "${schema}".outbox_messages DROP COLUMN trace_context`);
    }
  };
  Object.defineProperty(migration, 'name', { value: name });
  return migration;
};

/**
 * `outbox_dead_letters`: outbox rows Kafka can never take (larger than the broker's limit by
 * themselves, or refused as invalid), moved out of the outbox with the reason so the relay goes
 * on with the rows after them. An operator can inspect, fix and re-insert them into the outbox.
 */
export const outboxDeadLettersMigration = (schema: string, timestamp: number): new () => MigrationInterface => {
  const name = `OutboxDeadLetters${timestamp}`;
  const migration = class implements MigrationInterface {
    name = name;

    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`CREATE TABLE "${schema}".outbox_dead_letters (
        id uuid PRIMARY KEY,
        topic text NOT NULL,
        key text NOT NULL,
        headers jsonb NOT NULL DEFAULT '{}'::jsonb,
        payload jsonb NOT NULL,
        trace_context jsonb,
        reason text NOT NULL,
        created_at timestamptz NOT NULL,
        failed_at timestamptz NOT NULL DEFAULT now()
      )`);
    }

    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`DROP TABLE "${schema}".outbox_dead_letters`);
    }
  };
  Object.defineProperty(migration, 'name', { value: name });
  return migration;
};
