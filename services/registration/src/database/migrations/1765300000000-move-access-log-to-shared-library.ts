import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Moves registration's own `access_log` rows into the shared `access_log_entries` (libs/access-log, ADR 0020),
 * oldest first, keeping their times, and drops the old table with its triggers and retention function. Roles
 * become an array; the registration becomes the resource and the erasure scope; the owning organisation is taken
 * from the registration where it still exists. Runs in the migration transaction, so a populated database moves
 * whole or not at all; `down` is not supported (the shared table may by then hold entries the old one cannot).
 */
export class MoveAccessLogToSharedLibrary1765300000000 implements MigrationInterface {
  name = 'MoveAccessLogToSharedLibrary1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`LOCK TABLE "access_log" IN ACCESS EXCLUSIVE MODE`);
    await q.query(`
      INSERT INTO "access_log_entries" ("occurred_at", "kind", "subject", "subject_organisation_id", "roles", "action",
        "resource_type", "resource_id", "organisation_id", "registration_id", "purpose")
      SELECT l."occurred_at", 'ACCESS', l."subject", l."subject_organisation_id",
        array_remove(string_to_array(l."roles", ','), ''), l."action",
        CASE WHEN l."registration_id" IS NULL THEN NULL ELSE 'registration' END, l."registration_id"::text,
        r."organisation_id", l."registration_id", l."purpose"
      FROM "access_log" l LEFT JOIN "registrations" r ON r."id" = l."registration_id"
      ORDER BY l."id"`);
    await q.query(`DROP FUNCTION erase_access_log(timestamptz, uuid)`);
    await q.query(`DROP TABLE "access_log"`);
    await q.query(`DROP FUNCTION access_log_retention_only()`);
    await q.query(`DROP FUNCTION access_log_is_append_only()`);
  }

  down(): Promise<void> {
    return Promise.reject(new Error('moving the access log to the shared table is not reversible'));
  }
}
