import { Client } from 'pg';
import { DataSource } from 'typeorm';
import {
  createTestDatabase,
  PeriodicTask,
  PeriodicTaskBusyError,
  periodicTaskMigrations,
  postgresOptions,
  TestDatabase,
} from '../../src';

/**
 * Two "replicas" (two data sources, two PeriodicTask instances, as two processes would have) on one real
 * PostgreSQL database: each period runs once, runs never overlap, a dead runner's lock is free at once.
 */
describe('PeriodicTask across replicas (real PostgreSQL)', () => {
  let db: TestDatabase;
  const replicas: DataSource[] = [];

  beforeAll(async () => {
    db = await createTestDatabase({
      prefix: 'periodic',
      options: postgresOptions({
        host: '127.0.0.1',
        port: 5432,
        database: 'postgres',
        username: 'postgres',
        entities: [],
        migrations: periodicTaskMigrations,
        applicationName: 'periodic-it',
      }),
    });
    for (let i = 0; i < 2; i++) {
      const ds = new DataSource({ ...db.options, extra: { max: 2, application_name: `replica-${i}` } });
      await ds.initialize();
      replicas.push(ds);
    }
  });

  afterAll(async () => {
    for (const ds of replicas) await ds.destroy();
    await db.drop();
  });

  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

  it('runs each period exactly once across two replicas and never concurrently', async () => {
    const intervalMs = 400;
    const runs: { replica: number; startedAt: number; period: number }[] = [];
    let active = 0;
    let maxActive = 0;
    const errors: unknown[] = [];
    const tasks = replicas.map(
      (dataSource, replica) =>
        new PeriodicTask({
          dataSource,
          name: 'it.once-per-period',
          intervalMs,
          checkEveryMs: 37 + replica * 11, // replicas tick out of step, as real ones do
          onError: (error) => errors.push(error),
          run: async () => {
            active++;
            maxActive = Math.max(maxActive, active);
            // Work first, longer than a check, so the other replica's ticks meet the lock. On a loaded
            // machine a run's first statement can come this late, too.
            await sleep(150);
            // The period this run claimed is the one in periodic_task_runs: the claim committed before the
            // run began and no other replica can claim while this one holds the lock. (Reading the clock
            // here instead, as this test once did, names the next period whenever the run starts near a
            // period's end: a duplicate the task never made. CI failed on that at stop 23.)
            const [row] = await dataSource.query<{ period: string }[]>(
              `SELECT last_period AS period FROM periodic_task_runs WHERE name = $1`,
              ['it.once-per-period'],
            );
            runs.push({ replica, startedAt: Date.now(), period: Number(row?.period) });
            active--;
          },
        }),
    );
    const started = Date.now();
    tasks.forEach((t) => t.start());
    await sleep(4_200);
    await Promise.all(tasks.map((t) => t.stop()));
    const elapsedPeriods = (Date.now() - started) / intervalMs;

    expect(errors).toEqual([]);
    const periods = runs.map((r) => r.period);
    expect(new Set(periods).size).toBe(periods.length); // no period twice
    expect(maxActive).toBe(1); // never two runs at once
    expect(runs.length).toBeGreaterThanOrEqual(Math.floor(elapsedPeriods) - 1); // no period skipped (edges aside)
    expect(runs.length).toBeLessThanOrEqual(Math.ceil(elapsedPeriods) + 1);
    expect(new Set(runs.map((r) => r.replica)).size).toBe(2); // both replicas took turns

    const [row] = await db.dataSource.query<{ runs: string }[]>(
      `SELECT runs FROM periodic_task_runs WHERE name = 'it.once-per-period'`,
    );
    expect(Number(row?.runs)).toBe(runs.length);
  });

  it('a run in flight on one replica makes runExclusive on the other wait, then report busy', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const [a, b] = replicas.map(
      (dataSource) =>
        new PeriodicTask({
          dataSource,
          name: 'it.exclusive',
          intervalMs: 0,
          run: () => gate.then(() => 'done'),
        }),
    ) as [PeriodicTask<string>, PeriodicTask<string>];
    const first = a.runExclusive();
    await sleep(200);
    await expect(b.runExclusive(300)).rejects.toBeInstanceOf(PeriodicTaskBusyError);
    release();
    await expect(first).resolves.toBe('done');
    await expect(b.runExclusive(300)).resolves.toBe('done'); // free again once the first run ended
    await Promise.all([a.stop(), b.stop()]);
  });

  it('when the running replica dies its lock is released at once and the other replica takes over', async () => {
    let runsOnB = 0;
    const never = new Promise<never>(() => undefined);
    const a = new PeriodicTask({
      dataSource: replicas[0]!,
      name: 'it.takeover',
      intervalMs: 0,
      run: () => never,
    });
    const b = new PeriodicTask({
      dataSource: replicas[1]!,
      name: 'it.takeover',
      intervalMs: 0,
      run: () => Promise.resolve(++runsOnB),
    });
    void a.runExclusive().catch(() => undefined); // hangs forever, holding the lock like a stuck or killed process
    await sleep(200);
    await expect(b.runExclusive(200)).rejects.toBeInstanceOf(PeriodicTaskBusyError);

    // Kill replica A's lock session, as a SIGKILL of its process would end it.
    const admin = new Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: db.name });
    await admin.connect();
    try {
      const killed = await admin.query(
        `SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity
          WHERE datname = $1 AND application_name = 'replica-0-lock'`,
        [db.name],
      );
      expect(killed.rowCount).toBe(1);
    } finally {
      await admin.end();
    }
    await expect(b.runExclusive(2_000)).resolves.toBe(1);
    await b.stop();
  });
});
