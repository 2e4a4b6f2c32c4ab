import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Append-only log of every read of personal data: who (subject, organisation, roles), which registration,
 * what, why, when. Holds ids only. Rows cannot be updated (trigger); deletion is reserved for retention.
 */
export class CreateAccessLog1763960000000 implements MigrationInterface {
  name = 'CreateAccessLog1763960000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "access_log" (
        "id" BIGSERIAL NOT NULL,
        "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "subject" character varying(200) NOT NULL,
        "subject_organisation_id" character varying(64) NOT NULL,
        "roles" character varying(200) NOT NULL,
        "action" character varying(50) NOT NULL,
        "registration_id" uuid,
        "purpose" character varying(30) NOT NULL,
        CONSTRAINT "pk_access_log" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE INDEX "ix_access_log_registration_id" ON "access_log" ("registration_id")`);
    await q.query(`
      CREATE FUNCTION access_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'access_log is append-only';
      END $$`);
    await q.query(`
      CREATE TRIGGER "tr_access_log_append_only" BEFORE UPDATE ON "access_log"
      FOR EACH ROW EXECUTE FUNCTION access_log_is_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "access_log"`);
    await q.query(`DROP FUNCTION access_log_is_append_only()`);
  }
}
