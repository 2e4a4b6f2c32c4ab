import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Allocations awaiting their lease year's income norms (instead of being dead-lettered), and the norms the platform
 * operator publishes at run time (ADR 0017).
 */
export class AwaitingNorms1765400000000 implements MigrationInterface {
  name = 'AwaitingNorms1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "allocations" ADD "awaiting_norms_year" smallint`);
    await q.query(`ALTER TABLE "allocations" ADD "awaiting_norms_since" TIMESTAMP WITH TIME ZONE`);
    await q.query(
      `CREATE INDEX "ix_allocations_awaiting_norms_year" ON "allocations" ("awaiting_norms_year")`,
    );
    await q.query(`
      CREATE TABLE "income_norms" (
        "lease_year" smallint NOT NULL,
        "version" character varying(40) NOT NULL,
        "body" jsonb NOT NULL,
        "published_by" character varying(200) NOT NULL,
        "published_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "pk_income_norms" PRIMARY KEY ("lease_year")
      )`);
    await q.query(`CREATE UNIQUE INDEX "ux_income_norms_version" ON "income_norms" ("version")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "income_norms"`);
    await q.query(`DROP INDEX "ix_allocations_awaiting_norms_year"`);
    await q.query(`ALTER TABLE "allocations" DROP COLUMN "awaiting_norms_since"`);
    await q.query(`ALTER TABLE "allocations" DROP COLUMN "awaiting_norms_year"`);
  }
}
