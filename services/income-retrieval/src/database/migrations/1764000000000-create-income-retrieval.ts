import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Allocations and their member requests, the signals (consent answers, validation failures) and shared
 * income as they arrive in any order, the one decision per allocation, the income statements for the
 * accountant and the append-only access log.
 */
export class CreateIncomeRetrieval1764000000000 implements MigrationInterface {
  name = 'CreateIncomeRetrieval1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "allocations" (
        "allocation_id" uuid NOT NULL,
        "registration_id" uuid NOT NULL,
        "organisation_id" uuid NOT NULL,
        "letting_corporation_id" uuid NOT NULL,
        "lease_start_date" date NOT NULL,
        "monthly_rent_cents" bigint NOT NULL,
        "exemption_group" character varying(40),
        "household_size" smallint NOT NULL,
        "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "closed_outcome" character varying(30),
        CONSTRAINT "pk_allocations" PRIMARY KEY ("allocation_id")
      )`);
    await q.query(`CREATE INDEX "ix_allocations_registration_id" ON "allocations" ("registration_id")`);
    await q.query(`CREATE INDEX "ix_allocations_organisation_id" ON "allocations" ("organisation_id")`);
    await q.query(`
      CREATE TABLE "member_requests" (
        "allocation_id" uuid NOT NULL,
        "member_id" uuid NOT NULL,
        "role" character varying(20) NOT NULL,
        "status" character varying(30) NOT NULL,
        "failure" character varying(30),
        "consent_id" uuid,
        "deadline_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "withdrawn_after_decision_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "pk_member_requests" PRIMARY KEY ("allocation_id", "member_id")
      )`);
    await q.query(`CREATE INDEX "ix_member_requests_deadline_open" ON "member_requests" ("deadline_at")`);
    await q.query(`
      CREATE TABLE "member_signals" (
        "id" BIGSERIAL NOT NULL,
        "allocation_id" uuid NOT NULL,
        "registration_id" uuid NOT NULL,
        "subject_id" uuid NOT NULL,
        "kind" character varying(30) NOT NULL,
        "consent_id" uuid NOT NULL,
        "failure" character varying(30),
        "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "pk_member_signals" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE INDEX "ix_member_signals_allocation_id" ON "member_signals" ("allocation_id")`);
    await q.query(`
      CREATE TABLE "shared_incomes" (
        "sharing_id" uuid NOT NULL,
        "allocation_id" uuid NOT NULL,
        "registration_id" uuid NOT NULL,
        "subject_id" uuid NOT NULL,
        "consent_id" uuid NOT NULL,
        "income_cents" bigint NOT NULL,
        "income_kind" character varying(20) NOT NULL,
        "tax_year" smallint NOT NULL,
        "received_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "used" boolean NOT NULL DEFAULT false,
        CONSTRAINT "pk_shared_incomes" PRIMARY KEY ("sharing_id")
      )`);
    await q.query(`CREATE INDEX "ix_shared_incomes_allocation_id" ON "shared_incomes" ("allocation_id")`);
    await q.query(`
      CREATE TABLE "pension_age_statements" (
        "allocation_id" uuid NOT NULL,
        "pension_age" boolean NOT NULL,
        "stated_by" character varying(200) NOT NULL,
        "stated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT "pk_pension_age_statements" PRIMARY KEY ("allocation_id")
      )`);
    await q.query(`
      CREATE TABLE "decisions" (
        "allocation_id" uuid NOT NULL,
        "decision_id" uuid NOT NULL,
        "outcome" character varying(30) NOT NULL,
        "alternative_route_reason" character varying(30),
        "failed_member_id" uuid,
        "passend_category" character varying(30),
        "within_passend_limit" boolean,
        "passend" boolean,
        "household_size" smallint NOT NULL,
        "income_year" smallint,
        "norm_version" character varying(40),
        "decided_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "evidence_reference" character varying(200) NOT NULL,
        CONSTRAINT "pk_decisions" PRIMARY KEY ("allocation_id")
      )`);
    await q.query(`CREATE UNIQUE INDEX "ux_decisions_decision_id" ON "decisions" ("decision_id")`);
    await q.query(`
      CREATE TABLE "income_statements" (
        "statement_id" uuid NOT NULL,
        "allocation_id" uuid NOT NULL,
        "organisation_id" uuid NOT NULL,
        "letting_corporation_id" uuid NOT NULL,
        "registration_id" uuid NOT NULL,
        "contains_income" boolean NOT NULL,
        "body" jsonb NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "retain_until" date,
        CONSTRAINT "pk_income_statements" PRIMARY KEY ("statement_id")
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "ux_income_statements_allocation_id" ON "income_statements" ("allocation_id")`,
    );
    await q.query(`
      CREATE TABLE "access_log" (
        "id" BIGSERIAL NOT NULL,
        "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "subject" character varying(200) NOT NULL,
        "subject_organisation_id" character varying(64) NOT NULL,
        "roles" character varying(200) NOT NULL,
        "action" character varying(50) NOT NULL,
        "allocation_id" uuid,
        "purpose" character varying(30) NOT NULL,
        CONSTRAINT "pk_access_log" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE INDEX "ix_access_log_allocation_id" ON "access_log" ("allocation_id")`);
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
    for (const t of [
      'access_log',
      'income_statements',
      'decisions',
      'pension_age_statements',
      'shared_incomes',
      'member_signals',
      'member_requests',
      'allocations',
    ])
      await q.query(`DROP TABLE "${t}"`);
    await q.query(`DROP FUNCTION access_log_is_append_only()`);
  }
}
