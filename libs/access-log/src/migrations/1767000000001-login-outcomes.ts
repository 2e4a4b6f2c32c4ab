import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Logins at the identity provider (docs/adr/0030): a failed login (`LOGIN_FAILED`) carries its reason like a
 * rejected token does; every other entry still has none.
 */
export class AccessLogLoginOutcomes1767000000001 implements MigrationInterface {
  name = 'AccessLogLoginOutcomes1767000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "access_log_entries" DROP CONSTRAINT "ck_access_log_entries_reason"`);
    await q.query(
      `ALTER TABLE "access_log_entries" ADD CONSTRAINT "ck_access_log_entries_reason" CHECK (("action" IN ('TOKEN_REJECTED', 'LOGIN_FAILED')) = ("outcome_reason" IS NOT NULL))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "access_log_entries" DROP CONSTRAINT "ck_access_log_entries_reason"`);
    await q.query(
      `ALTER TABLE "access_log_entries" ADD CONSTRAINT "ck_access_log_entries_reason" CHECK (("action" = 'TOKEN_REJECTED') = ("outcome_reason" IS NOT NULL))`,
    );
  }
}
