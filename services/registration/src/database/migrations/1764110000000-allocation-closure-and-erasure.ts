import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue #8, registration's part:
 * - allocations can be closed (lease signed / ended without a lease), once;
 * - erasure commands from retention-cleanup are applied once per erasure id (`applied_erasures`), and an
 *   erased registration leaves a pseudonymous tombstone (`erased_registrations`: ids and dates, no personal data);
 * - the access log stays append-only: UPDATE, DELETE and TRUNCATE are refused by triggers, except inside
 *   `erase_access_log(before, registration)`, the retention function, which is the only way rows go.
 */
export class AllocationClosureAndErasure1764110000000 implements MigrationInterface {
  name = 'AllocationClosureAndErasure1764110000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "allocations" ADD "closed_outcome" character varying(30)`);
    await q.query(`ALTER TABLE "allocations" ADD "closed_at" TIMESTAMP WITH TIME ZONE`);
    await q.query(
      `ALTER TABLE "allocations" ADD CONSTRAINT "ck_allocations_closed" CHECK (("closed_outcome" IS NULL AND "closed_at" IS NULL) OR ("closed_outcome" IN ('LEASE_SIGNED', 'ENDED_WITHOUT_LEASE') AND "closed_at" IS NOT NULL))`,
    );

    await q.query(`
      CREATE TABLE "applied_erasures" (
        "erasure_id" uuid NOT NULL,
        "category" character varying(40) NOT NULL,
        "erased_count" integer NOT NULL,
        "applied_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "pk_applied_erasures" PRIMARY KEY ("erasure_id")
      )`);
    await q.query(`
      CREATE TABLE "erased_registrations" (
        "registration_id" uuid NOT NULL,
        "organisation_id" uuid NOT NULL,
        "registration_date" date NOT NULL,
        "deregistered_at" TIMESTAMP WITH TIME ZONE,
        "erasure_id" uuid NOT NULL,
        "erased_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "pk_erased_registrations" PRIMARY KEY ("registration_id")
      )`);

    await q.query(`
      CREATE FUNCTION access_log_retention_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF current_setting('divit.access_log_retention', true) = 'on' THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION 'access_log is append-only: rows go only through erase_access_log()';
      END $$`);
    await q.query(`
      CREATE TRIGGER "tr_access_log_retention_only" BEFORE DELETE ON "access_log"
      FOR EACH ROW EXECUTE FUNCTION access_log_retention_only()`);
    await q.query(`
      CREATE TRIGGER "tr_access_log_no_truncate" BEFORE TRUNCATE ON "access_log"
      FOR EACH STATEMENT EXECUTE FUNCTION access_log_is_append_only()`);
    await q.query(`
      CREATE FUNCTION erase_access_log(before timestamptz, registration uuid) RETURNS bigint
      LANGUAGE plpgsql AS $$
      DECLARE n bigint;
      BEGIN
        IF before IS NULL AND registration IS NULL THEN
          RAISE EXCEPTION 'erase_access_log needs a cut-off or a registration';
        END IF;
        PERFORM set_config('divit.access_log_retention', 'on', true);
        DELETE FROM access_log
          WHERE (before IS NULL OR occurred_at < before) AND (registration IS NULL OR registration_id = registration);
        GET DIAGNOSTICS n = ROW_COUNT;
        PERFORM set_config('divit.access_log_retention', 'off', true);
        RETURN n;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION erase_access_log(timestamptz, uuid)`);
    await q.query(`DROP TRIGGER "tr_access_log_no_truncate" ON "access_log"`);
    await q.query(`DROP TRIGGER "tr_access_log_retention_only" ON "access_log"`);
    await q.query(`DROP FUNCTION access_log_retention_only()`);
    await q.query(`DROP TABLE "erased_registrations"`);
    await q.query(`DROP TABLE "applied_erasures"`);
    await q.query(`ALTER TABLE "allocations" DROP CONSTRAINT "ck_allocations_closed"`);
    await q.query(`ALTER TABLE "allocations" DROP COLUMN "closed_at"`);
    await q.query(`ALTER TABLE "allocations" DROP COLUMN "closed_outcome"`);
  }
}
