import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * identity-validation keeps the exemption group of each allocation it learns (AllocationRecorded), so a sharing
 * session for an exempted household is refused before MijnOverheid is asked: no DigiD login, no usage (issue 16
 * item 4). Allocations recorded before this migration are not exempt as far as this service knows (null).
 */
export class AllocationExemptionGroup1766100000000 implements MigrationInterface {
  name = 'AllocationExemptionGroup1766100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "allocations" ADD "exemption_group" character varying(40)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "allocations" DROP COLUMN "exemption_group"`);
  }
}
