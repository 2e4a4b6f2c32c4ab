import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Moves consent's own `access_log` rows into the shared `access_log_entries` (libs/access-log, ADR 0020), oldest
 * first, keeping their times, and drops the old table and its trigger function. Roles become an array; the
 * registration (or else the allocation) becomes the resource. Runs in the migration transaction, so a populated
 * database moves whole or not at all; `down` is not supported.
 */
export class MoveAccessLogToSharedLibrary1765300000000 implements MigrationInterface {
  name = 'MoveAccessLogToSharedLibrary1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`LOCK TABLE "access_log" IN ACCESS EXCLUSIVE MODE`);
    await q.query(`
      INSERT INTO "access_log_entries" ("occurred_at", "kind", "subject", "subject_organisation_id", "roles", "action",
        "resource_type", "resource_id", "organisation_id", "registration_id", "allocation_id", "purpose")
      SELECT "occurred_at", 'ACCESS', "subject", "subject_organisation_id",
        array_remove(string_to_array("roles", ','), ''), "action",
        CASE WHEN "registration_id" IS NOT NULL THEN 'registration'
             WHEN "allocation_id" IS NOT NULL THEN 'allocation' END,
        coalesce("registration_id", "allocation_id")::text,
        "organisation_id", "registration_id", "allocation_id", "purpose"
      FROM "access_log" ORDER BY "id"`);
    await q.query(`DROP TABLE "access_log"`);
    await q.query(`DROP FUNCTION access_log_is_append_only()`);
  }

  down(): Promise<void> {
    return Promise.reject(new Error('moving the access log to the shared table is not reversible'));
  }
}
