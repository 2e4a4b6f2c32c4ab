import { PendingMigrationsDatabase } from '@divit/testing';
import { billingMigrations } from '../../src/database/data-source';

/**
 * The move to the shared access log (ADR 0020) on a populated database: the service's old `access_log` rows are
 * written in the old shape by the old migrations, then the pending migrations move them (history kept, roles as
 * an array) and drop the old table.
 */
describe('billing-reconciliation: access-log data migration on a populated database', () => {
  const moving = ['CreateAccessLogEntries1765200000000', 'MoveAccessLogToSharedLibrary1765300000000'];
  let rig: PendingMigrationsDatabase;

  beforeAll(async () => {
    rig = await PendingMigrationsDatabase.create('billing_al_move', billingMigrations, moving);
  });

  afterAll(async () => {
    await rig?.drop();
  });

  it('moves every old row, oldest first, and drops the old table', async () => {
    const old = rig.old;
    for (let i = 0; i < 1200; i++) {
      await old.query(
        `INSERT INTO access_log (occurred_at, subject, subject_organisation_id, roles, action, resource_id)
         VALUES ('2025-01-01T00:00:00Z'::timestamptz + make_interval(secs => $1), 'finance-1', $2, 'finance,auditor', 'STATEMENT_PDF_EXPORTED', $3)`,
        [
          i,
          '3f2b8c1e-1234-4abc-9def-0123456789ab',
          i % 2
            ? 'not-a-uuid/x'
            : 'e5a4c7a0-0000-4000-8000-000000000004/f6a4c7a0-0000-4000-8000-000000000005',
        ],
      );
    }
    const [oldCount] = await old.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM access_log`);
    expect(oldCount!.n).toBe(1200);

    await rig.migrateRest(async (full, ran) => {
      expect(ran.slice(0, moving.length)).toEqual(moving); // later migrations follow them
      const rows = await full.query<Record<string, unknown>[]>(
        `SELECT * FROM access_log_entries ORDER BY id`,
      );
      expect(rows).toHaveLength(1200);
      expect(rows[0]).toMatchObject({
        kind: 'ACCESS',
        subject: 'finance-1',
        roles: ['finance', 'auditor'],
        action: 'STATEMENT_PDF_EXPORTED',
        resource_type: 'member-statement',
        resource_id: 'e5a4c7a0-0000-4000-8000-000000000004/f6a4c7a0-0000-4000-8000-000000000005',
        organisation_id: null,
      });
      expect((rows[0]!.occurred_at as Date).toISOString()).toBe('2025-01-01T00:00:00.000Z');
      expect((rows[1199]!.occurred_at as Date).toISOString()).toBe('2025-01-01T00:19:59.000Z');
      const [table] = await full.query<{ t: string | null }[]>(`SELECT to_regclass('access_log')::text AS t`);
      expect(table!.t).toBeNull();
      await expect(full.query(`UPDATE access_log_entries SET action = 'X'`)).rejects.toThrow(/append-only/);
    });
  });
});
