import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Moves identity-validation's own `access_log` rows into the shared `access_log_entries` (libs/access-log,
 * ADR 0020), oldest first, keeping their times, and drops the old table and its trigger function. Roles become an
 * array; the sharing session becomes the resource (with its organisation, allocation and purpose where the session
 * is still known); the registration stays the erasure scope. Runs in the migration transaction, so a populated
 * database moves whole or not at all; `down` is not supported.
 */
export class MoveAccessLogToSharedLibrary1765300000000 implements MigrationInterface {
  name = 'MoveAccessLogToSharedLibrary1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`LOCK TABLE "access_log" IN ACCESS EXCLUSIVE MODE`);
    await q.query(`
      INSERT INTO "access_log_entries" ("occurred_at", "kind", "subject", "subject_organisation_id", "roles", "action",
        "resource_type", "resource_id", "organisation_id", "registration_id", "allocation_id", "purpose")
      SELECT l."occurred_at", 'ACCESS', l."subject", l."subject_organisation_id",
        array_remove(string_to_array(l."roles", ','), ''), l."action",
        CASE WHEN l."session_id" IS NULL THEN NULL ELSE 'sharing-session' END, l."session_id"::text,
        s."organisation_id", l."registration_id", s."allocation_id", left(s."purpose", 30)
      FROM "access_log" l LEFT JOIN "sharing_sessions" s ON s."id" = l."session_id"
      ORDER BY l."id"`);
    await q.query(`DROP TABLE "access_log"`);
    await q.query(`DROP FUNCTION idv_access_log_is_append_only()`);
  }

  down(): Promise<void> {
    return Promise.reject(new Error('moving the access log to the shared table is not reversible'));
  }
}
