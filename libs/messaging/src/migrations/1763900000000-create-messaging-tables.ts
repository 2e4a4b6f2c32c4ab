import { MigrationInterface, QueryRunner } from 'typeorm';

/** Outbox and inbox tables; every service includes this migration in its own list. */
export class CreateMessagingTables1763900000000 implements MigrationInterface {
  name = 'CreateMessagingTables1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "outbox_messages" (
        "id" uuid NOT NULL,
        "seq" BIGSERIAL NOT NULL,
        "topic" character varying(255) NOT NULL,
        "message_key" character varying(255) NOT NULL,
        "event_type" character varying(255) NOT NULL,
        "payload" bytea NOT NULL,
        "headers" jsonb NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "pk_outbox_messages" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE UNIQUE INDEX "ix_outbox_messages_seq" ON "outbox_messages" ("seq")`);
    await q.query(`
      CREATE TABLE "inbox_messages" (
        "event_id" character varying(100) NOT NULL,
        "consumer_group" character varying(200) NOT NULL,
        "event_type" character varying(255) NOT NULL,
        "topic" character varying(255) NOT NULL,
        "partition" integer NOT NULL,
        "offset" bigint NOT NULL,
        "processed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "pk_inbox_messages" PRIMARY KEY ("event_id", "consumer_group")
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "inbox_messages"`);
    await q.query(`DROP TABLE "outbox_messages"`);
  }
}
