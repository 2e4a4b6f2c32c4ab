import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 16 item 14: a dry run of the dossier import (the protocol's test loads) ends as `DRY_RUN`: counts and
 * rejected rows are kept, nothing else is written.
 */
export class DossierImportDryRun1766100000001 implements MigrationInterface {
  name = 'DossierImportDryRun1766100000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "dossier_import_loads" DROP CONSTRAINT "ck_dossier_import_loads_status"`);
    await q.query(
      `ALTER TABLE "dossier_import_loads" ADD CONSTRAINT "ck_dossier_import_loads_status"
         CHECK ("status" IN ('RUNNING', 'COMPLETED', 'FAILED', 'DRY_RUN'))`,
    );
  }

  /** Dry runs become failed loads with the code DRY_RUN (the older status set has no place for them). */
  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "dossier_import_loads" DROP CONSTRAINT "ck_dossier_import_loads_status"`);
    await q.query(
      `UPDATE "dossier_import_loads" SET "status" = 'FAILED', "failure_code" = 'DRY_RUN' WHERE "status" = 'DRY_RUN'`,
    );
    await q.query(
      `ALTER TABLE "dossier_import_loads" ADD CONSTRAINT "ck_dossier_import_loads_status"
         CHECK ("status" IN ('RUNNING', 'COMPLETED', 'FAILED'))`,
    );
  }
}
