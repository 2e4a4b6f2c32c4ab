import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 16 item 2 (ADR 0035): consent learns the seeker's acceptance of the offered dwelling (AllocationOfferAccepted)
 * and the controller(s) from it, so that showings, receipts and evidence about the allocation name the controller in
 * force, and the letting corporation reads the allocation's consent status once it is controller.
 */
export class AllocationAcceptance1767100000000 implements MigrationInterface {
  name = 'AllocationAcceptance1767100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "allocations" ADD "accepted_on" date`);
    await q.query(`ALTER TABLE "allocations" ADD "accepted_route" character varying(1)`);
    await q.query(`ALTER TABLE "allocations" ADD "accepted_controller_ids" jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "allocations" DROP COLUMN "accepted_controller_ids"`);
    await q.query(`ALTER TABLE "allocations" DROP COLUMN "accepted_route"`);
    await q.query(`ALTER TABLE "allocations" DROP COLUMN "accepted_on"`);
  }
}
