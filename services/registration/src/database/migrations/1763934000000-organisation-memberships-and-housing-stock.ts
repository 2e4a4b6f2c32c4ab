import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Effective-dated memberships of corporations in route B/C organisations, and each member's housing stock
 * per date. Overlapping periods for the same pair are excluded by the database (btree_gist, a trusted
 * extension: the database owner may create it).
 */
export class OrganisationMembershipsAndHousingStock1763934000000 implements MigrationInterface {
  name = 'OrganisationMembershipsAndHousingStock1763934000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS btree_gist`);
    await q.query(`
      CREATE TABLE "organisation_memberships" (
        "id" uuid NOT NULL,
        "organisation_id" uuid NOT NULL,
        "member_organisation_id" uuid NOT NULL,
        "valid_from" date NOT NULL,
        "valid_to" date,
        "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "end_recorded_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "pk_organisation_memberships" PRIMARY KEY ("id"),
        CONSTRAINT "fk_organisation_memberships_organisation" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id"),
        CONSTRAINT "fk_organisation_memberships_member_organisation" FOREIGN KEY ("member_organisation_id") REFERENCES "organisations"("id"),
        CONSTRAINT "ck_organisation_memberships_period" CHECK ("valid_to" IS NULL OR "valid_to" >= "valid_from"),
        CONSTRAINT "ck_organisation_memberships_not_self" CHECK ("organisation_id" <> "member_organisation_id"),
        CONSTRAINT "xc_organisation_memberships_no_overlap" EXCLUDE USING gist ("organisation_id" WITH =, "member_organisation_id" WITH =, daterange("valid_from", "valid_to", '[]') WITH &&)
      )`);
    await q.query(
      `CREATE INDEX "ix_organisation_memberships_member_organisation_id" ON "organisation_memberships" ("member_organisation_id")`,
    );
    await q.query(`
      CREATE TABLE "housing_stock" (
        "organisation_id" uuid NOT NULL,
        "member_organisation_id" uuid NOT NULL,
        "effective_from" date NOT NULL,
        "dwellings" integer NOT NULL,
        "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "pk_housing_stock" PRIMARY KEY ("organisation_id", "member_organisation_id", "effective_from"),
        CONSTRAINT "fk_housing_stock_organisation" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id"),
        CONSTRAINT "fk_housing_stock_member_organisation" FOREIGN KEY ("member_organisation_id") REFERENCES "organisations"("id"),
        CONSTRAINT "ck_housing_stock_dwellings" CHECK ("dwellings" >= 0)
      )`);
    await q.query(
      `CREATE INDEX "ix_organisation_routes_coordinator_organisation_id" ON "organisation_routes" ("coordinator_organisation_id")`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "ix_organisation_routes_coordinator_organisation_id"`);
    await q.query(`DROP TABLE "housing_stock"`);
    await q.query(`DROP TABLE "organisation_memberships"`);
  }
}
