import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention policies (overrides of the shipped defaults), the due-erasure schedule, legal holds with their
 * append-only audit, and the append-only deletion log. No personal data: pseudonymous ids only.
 */
export class CreateRetention1764100000000 implements MigrationInterface {
  name = 'CreateRetention1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "retention_policy_overrides" (
        "organisation_id" uuid NOT NULL,
        "category" character varying(40) NOT NULL,
        "retention" character varying(40) NOT NULL,
        "reason" character varying(500) NOT NULL,
        "updated_by" character varying(200) NOT NULL,
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "pk_retention_policy_overrides" PRIMARY KEY ("organisation_id", "category")
      )`);
    await q.query(`
      CREATE TABLE "scheduled_erasures" (
        "erasure_id" uuid NOT NULL,
        "category" character varying(40) NOT NULL,
        "target_service" character varying(40) NOT NULL,
        "reason" character varying(40) NOT NULL,
        "trigger" character varying(40) NOT NULL,
        "policy_id" character varying(100) NOT NULL,
        "organisation_id" uuid,
        "registration_id" uuid,
        "subject_id" uuid,
        "allocation_id" uuid,
        "recorded_before" TIMESTAMP WITH TIME ZONE,
        "trigger_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "due_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "dedupe_key" character varying(300) NOT NULL,
        "status" character varying(20) NOT NULL DEFAULT 'SCHEDULED',
        "first_sent_at" TIMESTAMP WITH TIME ZONE,
        "last_sent_at" TIMESTAMP WITH TIME ZONE,
        "send_count" integer NOT NULL DEFAULT 0,
        "completed_at" TIMESTAMP WITH TIME ZONE,
        "erased_count" bigint,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "pk_scheduled_erasures" PRIMARY KEY ("erasure_id"),
        CONSTRAINT "ck_scheduled_erasures_status" CHECK ("status" IN ('SCHEDULED', 'ISSUED', 'COMPLETED'))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "ux_scheduled_erasures_dedupe_key" ON "scheduled_erasures" ("dedupe_key")`,
    );
    await q.query(
      `CREATE INDEX "ix_scheduled_erasures_due" ON "scheduled_erasures" ("due_at") WHERE "status" = 'SCHEDULED'`,
    );
    await q.query(
      `CREATE INDEX "ix_scheduled_erasures_sent" ON "scheduled_erasures" ("last_sent_at") WHERE "status" = 'ISSUED'`,
    );
    await q.query(
      `CREATE INDEX "ix_scheduled_erasures_registration_id" ON "scheduled_erasures" ("registration_id")`,
    );

    await q.query(`
      CREATE TABLE "legal_holds" (
        "id" uuid NOT NULL,
        "subject_id" uuid,
        "category" character varying(40),
        "organisation_id" uuid,
        "reason" character varying(500) NOT NULL,
        "owner" character varying(200) NOT NULL,
        "expires_at" TIMESTAMP WITH TIME ZONE,
        "created_by" character varying(200) NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "lifted_by" character varying(200),
        "lifted_at" TIMESTAMP WITH TIME ZONE,
        "lift_reason" character varying(500),
        CONSTRAINT "pk_legal_holds" PRIMARY KEY ("id"),
        CONSTRAINT "ck_legal_holds_scope" CHECK ("subject_id" IS NOT NULL OR "category" IS NOT NULL)
      )`);
    await q.query(`
      CREATE TABLE "legal_hold_audit" (
        "id" BIGSERIAL NOT NULL,
        "hold_id" uuid NOT NULL,
        "action" character varying(20) NOT NULL,
        "actor" character varying(200) NOT NULL,
        "reason" character varying(500) NOT NULL,
        "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "pk_legal_hold_audit" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE INDEX "ix_legal_hold_audit_hold_id" ON "legal_hold_audit" ("hold_id")`);

    await q.query(`
      CREATE TABLE "deletion_log" (
        "id" BIGSERIAL NOT NULL,
        "erasure_id" uuid NOT NULL,
        "category" character varying(40) NOT NULL,
        "target_service" character varying(40) NOT NULL,
        "reason" character varying(40) NOT NULL,
        "policy_id" character varying(100) NOT NULL,
        "subject_pseudonym" uuid,
        "organisation_id" uuid,
        "allocation_id" uuid,
        "recorded_before" TIMESTAMP WITH TIME ZONE,
        "requested_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "completed_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "erased_count" bigint NOT NULL,
        "logged_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "pk_deletion_log" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE UNIQUE INDEX "ux_deletion_log_erasure_id" ON "deletion_log" ("erasure_id")`);

    // Proof is append-only: rows can be added, never changed or removed (also not by TRUNCATE).
    await q.query(`
      CREATE FUNCTION retention_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
      END $$`);
    for (const table of ['deletion_log', 'legal_hold_audit']) {
      await q.query(`
        CREATE TRIGGER "tr_${table}_append_only" BEFORE UPDATE OR DELETE ON "${table}"
        FOR EACH ROW EXECUTE FUNCTION retention_append_only()`);
      await q.query(`
        CREATE TRIGGER "tr_${table}_no_truncate" BEFORE TRUNCATE ON "${table}"
        FOR EACH STATEMENT EXECUTE FUNCTION retention_append_only()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "deletion_log"`);
    await q.query(`DROP TABLE "legal_hold_audit"`);
    await q.query(`DROP TABLE "legal_holds"`);
    await q.query(`DROP TABLE "scheduled_erasures"`);
    await q.query(`DROP TABLE "retention_policy_overrides"`);
    await q.query(`DROP FUNCTION retention_append_only()`);
  }
}
