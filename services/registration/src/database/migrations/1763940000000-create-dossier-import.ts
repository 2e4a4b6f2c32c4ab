import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Dossier import (issue #3, item 5): loads, the concordance from old dossier numbers to registration ids
 * (with each dossier as last received, for merging and delta detection) and rejected rows per load.
 * See services/registration/docs/dossier-import.md.
 */
export class CreateDossierImport1763940000000 implements MigrationInterface {
  name = 'CreateDossierImport1763940000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "dossier_import_loads" (
        "id" uuid NOT NULL,
        "source_system" character varying(50) NOT NULL,
        "mode" character varying(5) NOT NULL,
        "status" character varying(10) NOT NULL,
        "started_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "finished_at" TIMESTAMP WITH TIME ZONE,
        "counts" jsonb,
        "failure_code" character varying(50),
        CONSTRAINT "pk_dossier_import_loads" PRIMARY KEY ("id"),
        CONSTRAINT "ck_dossier_import_loads_mode" CHECK ("mode" IN ('full', 'delta')),
        CONSTRAINT "ck_dossier_import_loads_status" CHECK ("status" IN ('RUNNING', 'COMPLETED', 'FAILED'))
      )`);
    await q.query(
      `CREATE INDEX "ix_dossier_import_loads_source_started" ON "dossier_import_loads" ("source_system", "started_at")`,
    );
    await q.query(`
      CREATE TABLE "dossier_concordance" (
        "source_system" character varying(50) NOT NULL,
        "dossier_number" character varying(50) NOT NULL,
        "registration_id" uuid NOT NULL,
        "organisation_id" uuid NOT NULL,
        "person_key" bytea NOT NULL,
        "row_hash" bytea NOT NULL,
        "surname_prefix" character varying(20),
        "surname" character varying(200) NOT NULL,
        "birth_date" date NOT NULL,
        "gender_marker" character varying(1),
        "postcode" character varying(7) NOT NULL,
        "house_number" integer NOT NULL,
        "house_number_addition" character varying(10),
        "email" character varying(254),
        "phone" character varying(20),
        "registration_date" date NOT NULL,
        "deleted_at" TIMESTAMP WITH TIME ZONE,
        "first_load_id" uuid NOT NULL,
        "last_load_id" uuid NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "pk_dossier_concordance" PRIMARY KEY ("source_system", "dossier_number"),
        CONSTRAINT "fk_dossier_concordance_registration" FOREIGN KEY ("registration_id")
          REFERENCES "registrations"("id") DEFERRABLE INITIALLY DEFERRED
      )`);
    await q.query(
      `CREATE INDEX "ix_dossier_concordance_registration_id" ON "dossier_concordance" ("registration_id")`,
    );
    await q.query(`CREATE INDEX "ix_dossier_concordance_person_key" ON "dossier_concordance" ("person_key")`);
    await q.query(`
      CREATE TABLE "dossier_import_rejects" (
        "load_id" uuid NOT NULL,
        "line_number" integer NOT NULL,
        "reasons" text NOT NULL,
        "record" jsonb NOT NULL,
        CONSTRAINT "pk_dossier_import_rejects" PRIMARY KEY ("load_id", "line_number"),
        CONSTRAINT "fk_dossier_import_rejects_load" FOREIGN KEY ("load_id")
          REFERENCES "dossier_import_loads"("id") ON DELETE CASCADE
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "dossier_import_rejects"`);
    await q.query(`DROP TABLE "dossier_concordance"`);
    await q.query(`DROP TABLE "dossier_import_loads"`);
  }
}
