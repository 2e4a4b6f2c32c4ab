import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The erasure protocol's table (docs/adr/0019): one row per erasure command a data-owning service applied, claimed
 * in the consuming transaction before it erases, so a replayed command is neither erased nor acknowledged again.
 * Ids, category and counts only: no personal data. Every data-owning service includes this migration.
 */
export class CreateErasureAcknowledgements1766000000000 implements MigrationInterface {
  name = 'CreateErasureAcknowledgements1766000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "erasure_acknowledgements" (
        "erasure_id" uuid NOT NULL,
        "owner" character varying(40) NOT NULL,
        "category" character varying(40) NOT NULL,
        "acknowledgement_id" uuid,
        "erased_count" integer NOT NULL DEFAULT 0,
        "erased_rows" jsonb NOT NULL DEFAULT '{}'::jsonb,
        "acknowledged_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "pk_erasure_acknowledgements" PRIMARY KEY ("erasure_id")
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "erasure_acknowledgements"`);
  }
}
