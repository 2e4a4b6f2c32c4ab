import { DataSource } from 'typeorm';
import { createTestDatabase, pendingSchemaChanges, postgresOptions, TestDatabase } from '@divit/persistence';
import { accessLogEntities, accessLogMigrations, AccessLogService } from '../../src';

/** The library on its own against PostgreSQL: its migration builds exactly what its entity describes. */
describe('access-log schema', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase({
      prefix: 'access_log_lib',
      options: postgresOptions({
        host: '127.0.0.1',
        port: 5432,
        database: 'postgres',
        username: 'postgres',
        applicationName: 'access-log-lib-test',
        entities: accessLogEntities,
        migrations: accessLogMigrations,
      }),
    });
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('has no schema drift between the migration and the entity', async () => {
    expect(await pendingSchemaChanges(db.dataSource)).toEqual([]);
  });

  it('records, refuses changes and erases only through the scoped function', async () => {
    const ds: DataSource = db.dataSource;
    const log = new AccessLogService(ds);
    const org = '3f2b8c1e-1234-4abc-9def-0123456789ab';
    await log.record({
      principal: { subject: 'u', organisationId: org, roles: ['auditor'] },
      action: 'THING_READ',
      organisationId: org,
      changedFields: ['a'],
    });
    await expect(ds.query(`UPDATE access_log_entries SET action = 'X'`)).rejects.toThrow(/append-only/);
    await expect(ds.query(`DELETE FROM access_log_entries`)).rejects.toThrow(/append-only/);
    // An organisation alone is no scope (ADR 0019); it narrows a cut-off.
    await expect(
      ds.query(`SELECT erase_access_log_entries(NULL, $1, NULL, NULL) AS n`, [org]),
    ).rejects.toThrow(/an organisation alone is no scope/);
    const future = new Date(Date.now() + 60_000);
    const [other] = await ds.query<{ n: string }[]>(
      `SELECT erase_access_log_entries($1, '00000000-0000-4000-8000-000000000000', NULL, NULL) AS n`,
      [future],
    );
    expect(Number(other!.n)).toBe(0);
    const [mine] = await ds.query<{ n: string }[]>(
      `SELECT erase_access_log_entries($1, $2, NULL, NULL) AS n`,
      [future, org],
    );
    expect(Number(mine!.n)).toBe(1);
    // The erasure flag does not outlive the function: a plain DELETE afterwards in the same transaction is refused.
    await log.record({ principal: { subject: 'v', organisationId: org, roles: [] }, action: 'THING_READ' });
    await expect(
      ds.transaction(async (em) => {
        await em.query(`SELECT erase_access_log_entries('2000-01-01', NULL, NULL, NULL)`);
        await em.query(`DELETE FROM access_log_entries`);
      }),
    ).rejects.toThrow(/append-only: DELETE refused/);
    const [left] = await ds.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM access_log_entries`);
    expect(left!.n).toBe(1);
  });
});
