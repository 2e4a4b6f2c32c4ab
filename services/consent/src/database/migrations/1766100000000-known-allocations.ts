import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * consent learns allocations (AllocationRecorded, AllocationClosed) so that it asks consent at allocation only for
 * an allocation it knows, of the registration's own organisation, not closed and not of an exempted household
 * (issue 16 item 4).
 */
export class KnownAllocations1766100000000 implements MigrationInterface {
  name = 'KnownAllocations1766100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "allocations" ("id" uuid NOT NULL, "registration_id" uuid NOT NULL, "organisation_id" uuid NOT NULL, "exemption_group" character varying(40), "closed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_allocations" PRIMARY KEY ("id"))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "allocations"`);
  }
}
