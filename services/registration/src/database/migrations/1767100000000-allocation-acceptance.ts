import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 16 item 2: the seeker's acceptance of the offered dwelling is recorded on the allocation (once); from that day
 * the letting corporation is controller on routes B and C (ADR 0035).
 */
export class AllocationAcceptance1767100000000 implements MigrationInterface {
  name = 'AllocationAcceptance1767100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "allocations" ADD "accepted_on" date`);
    await q.query(`ALTER TABLE "allocations" ADD "accepted_at" TIMESTAMP WITH TIME ZONE`);
    await q.query(
      `ALTER TABLE "allocations" ADD CONSTRAINT "ck_allocations_accepted" CHECK (("accepted_on" IS NULL) = ("accepted_at" IS NULL))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "allocations" DROP CONSTRAINT "ck_allocations_accepted"`);
    await q.query(`ALTER TABLE "allocations" DROP COLUMN "accepted_at"`);
    await q.query(`ALTER TABLE "allocations" DROP COLUMN "accepted_on"`);
  }
}
