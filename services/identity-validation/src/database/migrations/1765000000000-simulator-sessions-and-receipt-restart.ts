import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 13 item 9a.
 * - `simulator_dvmg_sessions`: the DvMG SIMULATOR's sessions, which the real MijnOverheid keeps on its
 *   side across our restarts. Used only with DVMG_MODE=simulator; holds no BSN (the logged-in test person
 *   is its position in the simulator's list of fictional test persons).
 * - A receipt may start a new session when MijnOverheid never reported on the earlier one (see
 *   receiptRefusal): the unique index on receipt_id becomes "at most one open session per receipt".
 */
export class SimulatorSessionsAndReceiptRestart1765000000000 implements MigrationInterface {
  name = 'SimulatorSessionsAndReceiptRestart1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "simulator_dvmg_sessions" ("session_id" uuid NOT NULL, "kind" character varying(20) NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "logged_in_as" smallint, "done" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_simulator_dvmg_sessions" PRIMARY KEY ("session_id"))`,
    );
    await q.query(`DROP INDEX "ux_sharing_sessions_receipt_id"`);
    await q.query(`CREATE INDEX "ix_sharing_sessions_receipt_id" ON "sharing_sessions" ("receipt_id")`);
    await q.query(
      `CREATE UNIQUE INDEX "ux_sharing_sessions_receipt_id_open" ON "sharing_sessions" ("receipt_id") WHERE "state" IN ('AWAITING_DELIVERY', 'AWAITING_CONFIRMATION')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "ux_sharing_sessions_receipt_id_open"`);
    await q.query(`DROP INDEX "ix_sharing_sessions_receipt_id"`);
    await q.query(
      `CREATE UNIQUE INDEX "ux_sharing_sessions_receipt_id" ON "sharing_sessions" ("receipt_id")`,
    );
    await q.query(`DROP TABLE "simulator_dvmg_sessions"`);
  }
}
