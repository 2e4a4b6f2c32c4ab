import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Agreement policy sets (docs/adr/0036): the agreement each organisation adopted, and the trigger's outcome on a
 * scheduled erasure (so a changed policy with a retention by outcome reschedules each erasure by its own outcome).
 * Erasures scheduled before this have no outcome: they take the longest period of such a policy.
 */
export class RetentionAgreements1767100000000 implements MigrationInterface {
  name = 'RetentionAgreements1767100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "organisation_agreements" (
        "organisation_id" uuid NOT NULL,
        "agreement_id" character varying(40) NOT NULL,
        "reason" character varying(500) NOT NULL,
        "adopted_by" character varying(200) NOT NULL,
        "adopted_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "pk_organisation_agreements" PRIMARY KEY ("organisation_id")
      )`);
    await q.query(`ALTER TABLE "scheduled_erasures" ADD COLUMN "outcome" character varying(20)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "scheduled_erasures" DROP COLUMN "outcome"`);
    await q.query(`DROP TABLE "organisation_agreements"`);
  }
}
