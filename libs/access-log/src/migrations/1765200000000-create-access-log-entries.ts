import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The shared access log (libs/access-log): one append-only table in every service that keeps one. Every service
 * includes this migration in its own list (after its own tables, before the migration that moves its old rows).
 *
 * Append-only: UPDATE and TRUNCATE are always refused by triggers; DELETE only inside
 * `erase_access_log_entries(before, organisation, registration, allocation)`, the retention/erasure path, which
 * refuses to run without a scope (an organisation alone is none: it only narrows a cut-off, registration or
 * allocation, as in the erasure protocol of ADR 0019).
 */
export class CreateAccessLogEntries1765200000000 implements MigrationInterface {
  name = 'CreateAccessLogEntries1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "access_log_entries" (
        "id" BIGSERIAL NOT NULL,
        "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "kind" character varying(20) NOT NULL,
        "subject" character varying(200),
        "subject_organisation_id" character varying(64),
        "roles" text[] NOT NULL DEFAULT '{}',
        "action" character varying(60) NOT NULL,
        "outcome_reason" character varying(40),
        "resource_type" character varying(40),
        "resource_id" character varying(200),
        "organisation_id" uuid,
        "registration_id" uuid,
        "allocation_id" uuid,
        "purpose" character varying(30),
        "changed_fields" text[] NOT NULL DEFAULT '{}',
        "ip" character varying(64),
        "user_agent" character varying(300),
        "dedupe_key" character varying(100),
        CONSTRAINT "pk_access_log_entries" PRIMARY KEY ("id"),
        CONSTRAINT "ck_access_log_entries_kind" CHECK ("kind" IN ('ACCESS', 'AUTHENTICATION')),
        CONSTRAINT "ck_access_log_entries_reason" CHECK (
          ("action" = 'TOKEN_REJECTED') = ("outcome_reason" IS NOT NULL))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "ux_access_log_entries_dedupe_key" ON "access_log_entries" ("dedupe_key") WHERE "dedupe_key" IS NOT NULL`,
    );
    await q.query(`CREATE INDEX "ix_access_log_entries_occurred_at" ON "access_log_entries" ("occurred_at")`);
    await q.query(
      `CREATE INDEX "ix_access_log_entries_subject_organisation" ON "access_log_entries" ("subject_organisation_id", "id")`,
    );
    await q.query(
      `CREATE INDEX "ix_access_log_entries_organisation" ON "access_log_entries" ("organisation_id", "id")`,
    );
    await q.query(`CREATE INDEX "ix_access_log_entries_subject" ON "access_log_entries" ("subject", "id")`);
    await q.query(
      `CREATE INDEX "ix_access_log_entries_resource" ON "access_log_entries" ("resource_type", "resource_id")`,
    );
    await q.query(
      `CREATE INDEX "ix_access_log_entries_registration" ON "access_log_entries" ("registration_id")`,
    );
    await q.query(
      `CREATE INDEX "ix_access_log_entries_allocation" ON "access_log_entries" ("allocation_id")`,
    );
    await q.query(`
      CREATE FUNCTION access_log_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' AND current_setting('divit.access_log_erasure', true) = 'on' THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION 'access_log_entries is append-only: % refused (rows go only through erase_access_log_entries())', TG_OP;
      END $$`);
    await q.query(`
      CREATE TRIGGER "tr_access_log_entries_append_only" BEFORE UPDATE OR DELETE ON "access_log_entries"
      FOR EACH ROW EXECUTE FUNCTION access_log_entries_append_only()`);
    await q.query(`
      CREATE TRIGGER "tr_access_log_entries_no_truncate" BEFORE TRUNCATE ON "access_log_entries"
      FOR EACH STATEMENT EXECUTE FUNCTION access_log_entries_append_only()`);
    await q.query(`
      CREATE FUNCTION erase_access_log_entries(before timestamptz, organisation text, registration uuid, allocation uuid)
      RETURNS bigint LANGUAGE plpgsql AS $$
      DECLARE n bigint;
      BEGIN
        IF before IS NULL AND registration IS NULL AND allocation IS NULL THEN
          RAISE EXCEPTION 'erase_access_log_entries needs a cut-off, a registration or an allocation (an organisation alone is no scope)';
        END IF;
        PERFORM set_config('divit.access_log_erasure', 'on', true);
        DELETE FROM access_log_entries
          WHERE (before IS NULL OR occurred_at < before)
            AND (organisation IS NULL OR organisation_id::text = organisation OR subject_organisation_id = organisation)
            AND (registration IS NULL OR registration_id = registration)
            AND (allocation IS NULL OR allocation_id = allocation);
        GET DIAGNOSTICS n = ROW_COUNT;
        PERFORM set_config('divit.access_log_erasure', 'off', true);
        RETURN n;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION erase_access_log_entries(timestamptz, text, uuid, uuid)`);
    await q.query(`DROP TABLE "access_log_entries"`);
    await q.query(`DROP FUNCTION access_log_entries_append_only()`);
  }
}
