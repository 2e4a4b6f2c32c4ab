import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each outbox row names the exact writer schema that encoded its body (by fingerprint), so a relay of a
 * newer release frames rows written by an older one with the right schema id.
 */
export class OutboxWriterSchemas1763950000000 implements MigrationInterface {
  name = 'OutboxWriterSchemas1763950000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "outbox_schemas" (
        "fingerprint" character varying(64) NOT NULL,
        "event_type" character varying(255) NOT NULL,
        "schema" text NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "pk_outbox_schemas" PRIMARY KEY ("fingerprint")
      )`);
    await q.query(`ALTER TABLE "outbox_messages" ADD "schema_fingerprint" character varying(64) NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "outbox_messages" DROP COLUMN "schema_fingerprint"`);
    await q.query(`DROP TABLE "outbox_schemas"`);
  }
}
