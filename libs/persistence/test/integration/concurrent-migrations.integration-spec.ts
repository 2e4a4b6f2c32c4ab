import { Client } from 'pg';
import { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { postgresOptions, runMigrations } from '../../src';

/** A slow first migration, so two migrate steps started together overlap inside it. */
class CreateWidgets1700000000000 implements MigrationInterface {
  name = 'CreateWidgets1700000000000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`SELECT pg_sleep(0.3)`);
    await q.query(`CREATE TABLE "widgets" ("id" int PRIMARY KEY)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "widgets"`);
  }
}

class AddWidgetName1700000000001 implements MigrationInterface {
  name = 'AddWidgetName1700000000001';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "widgets" ADD "name" text`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "widgets" DROP COLUMN "name"`);
  }
}

/**
 * Two migrate steps on one fresh database at the same moment (the e2e tier of one CI run met a second run's
 * step: "relation schema_migrations already exists"). Each is its own process in production; here each has its
 * own data source with a pool of one, as the lock, the bookkeeping and the migrations share one connection.
 */
describe('runMigrations: concurrent migrate steps on one database (real PostgreSQL)', () => {
  const host = process.env.PGHOST ?? '127.0.0.1';
  const port = Number(process.env.PGPORT ?? 5432);
  const user = process.env.PGUSER ?? 'postgres';
  const name = `t_concurrent_migrations_${process.pid}_${Date.now()}`;
  const admin = (): Client => new Client({ host, port, user, database: 'postgres' });
  const sources: DataSource[] = [];

  const source = (): DataSource => {
    const ds = new DataSource(
      postgresOptions({
        host,
        port,
        username: user,
        database: name,
        entities: [],
        migrations: [CreateWidgets1700000000000, AddWidgetName1700000000001],
        poolSize: 1,
        applicationName: `migrate-${sources.length}`,
      }),
    );
    sources.push(ds);
    return ds;
  };

  beforeEach(async () => {
    const c = admin();
    await c.connect();
    await c.query(`CREATE DATABASE "${name}"`);
    await c.end();
  });

  afterEach(async () => {
    for (const ds of sources.splice(0)) if (ds.isInitialized) await ds.destroy();
    const c = admin();
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await c.end();
  });

  it('applies every migration once: one step runs them, the others find nothing pending', async () => {
    const steps = [source(), source(), source()];
    await Promise.all(steps.map((ds) => ds.initialize()));

    const results = await Promise.allSettled(steps.map((ds) => runMigrations(ds)));

    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    const ran = results.map((r) => (r.status === 'fulfilled' ? r.value : []));
    expect(ran.flat().sort()).toEqual(['AddWidgetName1700000000001', 'CreateWidgets1700000000000']);
    expect(ran.filter((names) => names.length === 0)).toHaveLength(2);
    const [check] = steps;
    const rows = await check!.query<{ name: string }[]>(`SELECT name FROM schema_migrations ORDER BY id`);
    expect(rows.map((r) => r.name)).toEqual(['CreateWidgets1700000000000', 'AddWidgetName1700000000001']);
  });

  it('leaves no advisory lock behind when a migration fails, so the next step can run', async () => {
    const first = source();
    await first.initialize();
    await first.query(`CREATE TABLE "widgets" ("id" int PRIMARY KEY)`); // the first migration will fail

    await expect(runMigrations(first)).rejects.toThrow(/already exists/);

    await first.query(`DROP TABLE "widgets"`);
    const second = source();
    await second.initialize();
    await expect(runMigrations(second)).resolves.toEqual([
      'CreateWidgets1700000000000',
      'AddWidgetName1700000000001',
    ]);
  });
});
