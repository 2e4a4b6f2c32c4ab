import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The access log records, next to the names of the fields a change touched, the before and after of those that
 * are not personal (issue 16 item 10: the Woonkans agreement asks which fields changed). Existing entries get `{}`.
 */
export class AccessLogChangedValues1766200000000 implements MigrationInterface {
  name = 'AccessLogChangedValues1766200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "access_log_entries" ADD "changed_values" jsonb NOT NULL DEFAULT '{}'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "access_log_entries" DROP COLUMN "changed_values"`);
  }
}
