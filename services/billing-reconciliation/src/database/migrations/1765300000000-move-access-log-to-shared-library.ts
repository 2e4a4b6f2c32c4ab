import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Moves billing's own `access_log` rows into the shared `access_log_entries` (libs/access-log, ADR 0020), oldest
 * first, keeping their times, and drops the old table and its trigger function. Roles (stored comma-joined)
 * become an array; a resource id `<reconciliation>/<member>` is a member's statement, a bare id a reconciliation
 * (its payer becomes the owning organisation where the reconciliation exists), none an invoice import. Rows keep
 * their recorded subject organisation (the old CLI wrote `cli` there). Runs in the migration transaction, so a
 * populated database moves whole or not at all; `down` is not supported.
 */
export class MoveAccessLogToSharedLibrary1765300000000 implements MigrationInterface {
  name = 'MoveAccessLogToSharedLibrary1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`LOCK TABLE access_log IN ACCESS EXCLUSIVE MODE`);
    await q.query(`
      INSERT INTO access_log_entries (occurred_at, kind, subject, subject_organisation_id, roles, action,
        resource_type, resource_id, organisation_id)
      SELECT l.occurred_at, 'ACCESS', l.subject, l.subject_organisation_id,
        array_remove(string_to_array(l.roles, ','), ''), l.action,
        CASE WHEN l.resource_id IS NULL THEN CASE WHEN l.action = 'INVOICES_IMPORTED' THEN 'invoice-file' END
             WHEN position('/' IN l.resource_id) > 0 THEN 'member-statement'
             ELSE 'reconciliation' END,
        l.resource_id, r.payer_organisation_id
      FROM access_log l
      LEFT JOIN reconciliations r
        ON r.reconciliation_id = CASE
          WHEN split_part(l.resource_id, '/', 1) ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
          THEN split_part(l.resource_id, '/', 1)::uuid END
      ORDER BY l.id`);
    await q.query(`DROP TABLE access_log`);
    await q.query(`DROP FUNCTION billing_access_log_is_append_only()`);
  }

  down(): Promise<void> {
    return Promise.reject(new Error('moving the access log to the shared table is not reversible'));
  }
}
