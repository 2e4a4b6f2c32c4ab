import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The identity-validation tables. None of them can hold a plain BSN: the only BSN-derived values are
 * keyed hashes (HMAC-SHA256 with a key id). Identifying fields for a check live only until it ends.
 * The access log is append-only (updates are refused by a trigger; deletion is reserved for retention).
 */
export class CreateIdentityValidation1764100000000 implements MigrationInterface {
  name = 'CreateIdentityValidation1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "receipt_signing_keys" ("key_id" character varying(100) NOT NULL, "public_key" character varying(100) NOT NULL, "active_from" TIMESTAMP WITH TIME ZONE NOT NULL, "retired_at" TIMESTAMP WITH TIME ZONE, "published_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_7971916dd2f5a07bc2dfb85cb0d" PRIMARY KEY ("key_id"))`,
    );
    await q.query(
      `CREATE TABLE "consents" ("consent_id" uuid NOT NULL, "registration_id" uuid NOT NULL, "subject_id" uuid NOT NULL, "purpose" character varying(40) NOT NULL, "status" character varying(20) NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_e1ec66925de7ef9d835d9834462" PRIMARY KEY ("consent_id"))`,
    );
    await q.query(`CREATE INDEX "ix_consents_registration_id" ON "consents" ("registration_id")`);
    await q.query(
      `CREATE TABLE "identity_check_requests" ("consent_id" uuid NOT NULL, "request_id" uuid NOT NULL, "registration_id" uuid NOT NULL, "subject_id" uuid NOT NULL, "purpose" character varying(40) NOT NULL, "surname_prefix" character varying(50), "surname" character varying(200) NOT NULL, "birth_date" character varying(10) NOT NULL, "gender_marker" character varying(1), "postcode" character varying(10), "house_number" integer, "house_number_addition" character varying(10), "received_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_8b0a3f2d7eb29e9ab82dc642859" PRIMARY KEY ("consent_id"))`,
    );
    await q.query(
      `CREATE INDEX "ix_identity_check_requests_registration_id" ON "identity_check_requests" ("registration_id")`,
    );
    await q.query(
      `CREATE TABLE "co_resident_identities" ("member_id" uuid NOT NULL, "allocation_id" uuid NOT NULL, "surname_prefix" character varying(50), "surname" character varying(200) NOT NULL, "birth_date" character varying(10) NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_029fb104731d9cc7c6acb589385" PRIMARY KEY ("member_id"))`,
    );
    await q.query(
      `CREATE INDEX "ix_co_resident_identities_allocation_id" ON "co_resident_identities" ("allocation_id")`,
    );
    await q.query(
      `CREATE TABLE "allocations" ("allocation_id" uuid NOT NULL, "registration_id" uuid NOT NULL, "organisation_id" uuid NOT NULL, "letting_corporation_id" uuid NOT NULL, "closed" boolean NOT NULL DEFAULT false, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_43dda10b767417e8e8ce368cfab" PRIMARY KEY ("allocation_id"))`,
    );
    await q.query(
      `CREATE TABLE "sharing_sessions" ("id" uuid NOT NULL, "receipt_id" character varying(200) NOT NULL, "consent_id" uuid NOT NULL, "registration_id" uuid NOT NULL, "subject_id" uuid NOT NULL, "subject_role" character varying(20) NOT NULL, "allocation_id" uuid, "organisation_id" uuid NOT NULL, "purpose" character varying(40) NOT NULL, "state" character varying(30) NOT NULL, "sharing_outcome" character varying(30), "failure_code" character varying(30), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "delivered_at" TIMESTAMP WITH TIME ZONE, "completed_at" TIMESTAMP WITH TIME ZONE, "pending_hash" character varying(64), "pending_hash_key_id" character varying(32), "validated_surname_prefix" character varying(50), "validated_surname" character varying(200), "validated_birth_date" character varying(10), CONSTRAINT "PK_4a98cf37662808ad282332fd80e" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "ux_sharing_sessions_receipt_id" ON "sharing_sessions" ("receipt_id")`,
    );
    await q.query(`CREATE INDEX "ix_sharing_sessions_consent_id" ON "sharing_sessions" ("consent_id")`);
    await q.query(
      `CREATE INDEX "ix_sharing_sessions_registration_id" ON "sharing_sessions" ("registration_id")`,
    );
    await q.query(
      `CREATE INDEX "ix_sharing_sessions_state_expires_at" ON "sharing_sessions" ("state", "expires_at")`,
    );
    await q.query(
      `CREATE TABLE "bsn_hashes" ("registration_id" uuid NOT NULL, "organisation_id" uuid NOT NULL, "consent_id" uuid NOT NULL, "key_id" character varying(32) NOT NULL, "hash" character varying(64) NOT NULL, "validated_surname_prefix" character varying(50), "validated_surname" character varying(200) NOT NULL, "validated_birth_date" character varying(10) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "rehashed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_9a0fa6cb50bdb874099a95a63b1" PRIMARY KEY ("registration_id"))`,
    );
    await q.query(`CREATE INDEX "ix_bsn_hashes_organisation_id" ON "bsn_hashes" ("organisation_id")`);
    await q.query(
      `CREATE TABLE "usage_records" ("usage_id" uuid NOT NULL, "session_id" uuid NOT NULL, "unit" character varying(20) NOT NULL, "organisation_id" uuid NOT NULL, "letting_corporation_id" uuid, "allocation_id" uuid, "purpose" character varying(40) NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "uq_usage_records_session_unit" UNIQUE ("session_id", "unit"), CONSTRAINT "PK_17c13b19144ef7e03f64a671654" PRIMARY KEY ("usage_id"))`,
    );
    await q.query(
      `CREATE TABLE "access_log" ("id" BIGSERIAL NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "subject" character varying(200) NOT NULL, "subject_organisation_id" character varying(64) NOT NULL, "roles" character varying(200) NOT NULL, "action" character varying(50) NOT NULL, "registration_id" uuid, "session_id" uuid, CONSTRAINT "PK_bd09621fb73b42d9e32b85ae41f" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "ix_access_log_registration_id" ON "access_log" ("registration_id")`);
    await q.query(`
      CREATE FUNCTION idv_access_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'access_log is append-only';
      END $$`);
    await q.query(`
      CREATE TRIGGER "tr_access_log_append_only" BEFORE UPDATE ON "access_log"
      FOR EACH ROW EXECUTE FUNCTION idv_access_log_is_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'access_log',
      'usage_records',
      'bsn_hashes',
      'sharing_sessions',
      'allocations',
      'co_resident_identities',
      'identity_check_requests',
      'consents',
      'receipt_signing_keys',
    ])
      await q.query(`DROP TABLE "${table}"`);
    await q.query(`DROP FUNCTION idv_access_log_is_append_only()`);
  }
}
