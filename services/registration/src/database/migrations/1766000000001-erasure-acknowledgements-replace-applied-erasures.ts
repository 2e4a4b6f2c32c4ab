import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The erasure library's `erasure_acknowledgements` (docs/adr/0019) replaces registration's own `applied_erasures`:
 * the erasures applied so far move over (with their counts), so a command re-sent after the upgrade is still
 * recognised as applied.
 */
export class ErasureAcknowledgementsReplaceAppliedErasures1766000000001 implements MigrationInterface {
  name = 'ErasureAcknowledgementsReplaceAppliedErasures1766000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      INSERT INTO "erasure_acknowledgements" ("erasure_id", "owner", "category", "erased_count", "acknowledged_at")
      SELECT "erasure_id", 'REGISTRATION', "category", "erased_count", "applied_at" FROM "applied_erasures"
      ON CONFLICT ("erasure_id") DO NOTHING`);
    await q.query(`DROP TABLE "applied_erasures"`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "applied_erasures" (
        "erasure_id" uuid NOT NULL,
        "category" character varying(40) NOT NULL,
        "erased_count" integer NOT NULL,
        "applied_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "pk_applied_erasures" PRIMARY KEY ("erasure_id")
      )`);
    await q.query(`
      INSERT INTO "applied_erasures" ("erasure_id", "category", "erased_count", "applied_at")
      SELECT "erasure_id", "category", "erased_count", "acknowledged_at" FROM "erasure_acknowledgements"
      WHERE "owner" = 'REGISTRATION'`);
  }
}
