import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateOrganisations1763910000000 implements MigrationInterface {
  name = 'CreateOrganisations1763910000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "organisations" (
        "id" uuid NOT NULL,
        "name" character varying(200) NOT NULL,
        "kind" character varying(30) NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "pk_organisations" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE UNIQUE INDEX "ux_organisations_name" ON "organisations" ("name")`);
    await q.query(`
      CREATE TABLE "organisation_routes" (
        "organisation_id" uuid NOT NULL,
        "effective_from" date NOT NULL,
        "route" character varying(1) NOT NULL,
        "coordinator_organisation_id" uuid,
        "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "pk_organisation_routes" PRIMARY KEY ("organisation_id", "effective_from"),
        CONSTRAINT "fk_organisation_routes_organisation" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id")
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "organisation_routes"`);
    await q.query(`DROP TABLE "organisations"`);
  }
}
