import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 16 item 12 (docs/adr/0031): the concordance of a registration is kept three years after its last
 * integration (retention-cleanup's MIGRATED_DOSSIERS dataset policy), also when REGISTRATION_DATA erases the
 * deregistered registration earlier. Its `registration_id` then names the pseudonymous tombstone
 * (`erased_registrations`), so it can no longer be a foreign key to `registrations`.
 */
export class ConcordanceOutlivesErasedRegistrations1766100000000 implements MigrationInterface {
  name = 'ConcordanceOutlivesErasedRegistrations1766100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "dossier_concordance" DROP CONSTRAINT "fk_dossier_concordance_registration"`);
  }

  /** Only where every concordance row still has its registration (rows of erased ones block the revert). */
  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE "dossier_concordance" ADD CONSTRAINT "fk_dossier_concordance_registration"
        FOREIGN KEY ("registration_id") REFERENCES "registrations"("id") DEFERRABLE INITIALLY DEFERRED`);
  }
}
