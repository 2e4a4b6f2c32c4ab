import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Home-seeker registrations and household members. The registration id is a random UUID and the only
 * identifier that leaves this service (pseudonymous). Gender marker, postcode and house number are kept
 * only until the BSN check has succeeded or failed (DIV-it process 1), then set to NULL.
 */
export class CreateRegistrations1763920000000 implements MigrationInterface {
  name = 'CreateRegistrations1763920000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "registrations" (
        "id" uuid NOT NULL,
        "organisation_id" uuid NOT NULL,
        "surname_prefix" character varying(20),
        "surname" character varying(200) NOT NULL,
        "birth_date" date NOT NULL,
        "gender_marker" character varying(1),
        "postcode" character varying(7),
        "house_number" integer,
        "house_number_addition" character varying(10),
        "email" character varying(254),
        "phone" character varying(20),
        "registration_date" date NOT NULL,
        "status" character varying(20) NOT NULL DEFAULT 'ACTIVE',
        "deregistered_at" TIMESTAMP WITH TIME ZONE,
        "identity_status" character varying(20) NOT NULL DEFAULT 'NOT_STARTED',
        "validated_surname" character varying(200),
        "validated_birth_date" date,
        "identity_validated_at" TIMESTAMP WITH TIME ZONE,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "version" integer NOT NULL,
        CONSTRAINT "pk_registrations" PRIMARY KEY ("id"),
        CONSTRAINT "fk_registrations_organisation" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id"),
        CONSTRAINT "ck_registrations_gender_marker" CHECK ("gender_marker" IN ('M', 'V', 'X')),
        CONSTRAINT "ck_registrations_status" CHECK ("status" IN ('ACTIVE', 'DEREGISTERED'))
      )`);
    await q.query(`CREATE INDEX "ix_registrations_organisation_id" ON "registrations" ("organisation_id")`);
    await q.query(`
      CREATE TABLE "household_members" (
        "id" uuid NOT NULL,
        "registration_id" uuid NOT NULL,
        "relation" character varying(20) NOT NULL,
        "surname_prefix" character varying(20),
        "surname" character varying(200) NOT NULL,
        "birth_date" date NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "pk_household_members" PRIMARY KEY ("id"),
        CONSTRAINT "fk_household_members_registration" FOREIGN KEY ("registration_id") REFERENCES "registrations"("id") ON DELETE CASCADE,
        CONSTRAINT "ck_household_members_relation" CHECK ("relation" IN ('PARTNER', 'CHILD', 'OTHER_ADULT', 'OTHER'))
      )`);
    await q.query(
      `CREATE INDEX "ix_household_members_registration_id" ON "household_members" ("registration_id")`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "household_members"`);
    await q.query(`DROP TABLE "registrations"`);
  }
}
