import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Allocations recorded from the allocation system and the allocated household by pseudonymous member id.
 * Only adult co-residents keep a stated surname and birth date (for DIV-it process 4).
 */
export class CreateAllocations1763935000000 implements MigrationInterface {
  name = 'CreateAllocations1763935000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "allocations" (
        "id" uuid NOT NULL,
        "registration_id" uuid NOT NULL,
        "organisation_id" uuid NOT NULL,
        "letting_corporation_id" uuid NOT NULL,
        "dwelling_reference" character varying(64) NOT NULL,
        "monthly_rent_cents" integer NOT NULL,
        "lease_start_date" date NOT NULL,
        "exemption_group" character varying(40),
        "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "pk_allocations" PRIMARY KEY ("id"),
        CONSTRAINT "fk_allocations_registration" FOREIGN KEY ("registration_id") REFERENCES "registrations"("id"),
        CONSTRAINT "fk_allocations_organisation" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id"),
        CONSTRAINT "fk_allocations_letting_corporation" FOREIGN KEY ("letting_corporation_id") REFERENCES "organisations"("id"),
        CONSTRAINT "ck_allocations_monthly_rent_cents" CHECK ("monthly_rent_cents" > 0),
        CONSTRAINT "ck_allocations_exemption_group" CHECK ("exemption_group" IN ('STATUS_HOLDER_FROM_COA', 'STUDENTS_WITH_STUDY_FINANCE', 'STUDENTS_FROM_ABROAD'))
      )`);
    await q.query(`CREATE INDEX "ix_allocations_registration_id" ON "allocations" ("registration_id")`);
    await q.query(`CREATE INDEX "ix_allocations_organisation_id" ON "allocations" ("organisation_id")`);
    await q.query(
      `CREATE UNIQUE INDEX "ux_allocations_dwelling_lease_start" ON "allocations" ("letting_corporation_id", "dwelling_reference", "lease_start_date")`,
    );
    await q.query(`
      CREATE TABLE "allocation_members" (
        "id" uuid NOT NULL,
        "allocation_id" uuid NOT NULL,
        "position" smallint NOT NULL,
        "role" character varying(20) NOT NULL,
        "adult" boolean NOT NULL,
        "surname_prefix" character varying(20),
        "surname" character varying(200),
        "birth_date" date,
        CONSTRAINT "pk_allocation_members" PRIMARY KEY ("id"),
        CONSTRAINT "fk_allocation_members_allocation" FOREIGN KEY ("allocation_id") REFERENCES "allocations"("id") ON DELETE CASCADE,
        CONSTRAINT "ck_allocation_members_role" CHECK ("role" IN ('HOME_SEEKER', 'CO_RESIDENT')),
        CONSTRAINT "ck_allocation_members_identity" CHECK (("role" = 'CO_RESIDENT' AND "adult" AND "surname" IS NOT NULL AND "birth_date" IS NOT NULL) OR (NOT ("role" = 'CO_RESIDENT' AND "adult") AND "surname" IS NULL AND "surname_prefix" IS NULL AND "birth_date" IS NULL))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX "ux_allocation_members_position" ON "allocation_members" ("allocation_id", "position")`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "allocation_members"`);
    await q.query(`DROP TABLE "allocations"`);
  }
}
