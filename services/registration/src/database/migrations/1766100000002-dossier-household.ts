import { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue 16 item 14: the household a dossier lists is kept with it in the concordance (the merge needs it). */
export class DossierHousehold1766100000002 implements MigrationInterface {
  name = 'DossierHousehold1766100000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "dossier_concordance" ADD "household" jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "dossier_concordance" DROP COLUMN "household"`);
  }
}
