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
