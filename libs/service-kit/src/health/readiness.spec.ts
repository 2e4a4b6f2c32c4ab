import type { DataSource } from 'typeorm';
import { ReadinessCheck, withTimeout } from './readiness';

function dataSource(query: () => Promise<unknown>, pending = false): DataSource {
  return { query, showMigrations: () => Promise.resolve(pending) } as unknown as DataSource;
}
const never = () => new Promise<unknown>(() => undefined);
const ok = () => Promise.resolve([{ '?column?': 1 }]);

describe('ReadinessCheck', () => {
  it('is ready when the database answers, nothing is pending and messaging is ready', async () => {
    const check = new ReadinessCheck(
      dataSource(ok),
      { status: () => ({ ready: true, problems: [] }) },
      {
        databaseTimeoutMs: 500,
      },
    );
    expect(await check.check()).toEqual({
      ready: true,
      checks: { database: 'ok', migrations: 'ok', messaging: 'ok' },
      problems: [],
    });
  });

  it('is not ready within the timeout when the database never answers (a stuck pool)', async () => {
    const check = new ReadinessCheck(dataSource(never), undefined, { databaseTimeoutMs: 100 });
    const started = Date.now();
    const report = await check.check();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(report).toMatchObject({ ready: false, checks: { database: 'timeout' } });
    expect(report.problems).toEqual(['database did not answer within 100 ms']);
  });

  it('names an unreachable database, pending migrations and consumers that have not joined', async () => {
    const down = new ReadinessCheck(
      dataSource(() => Promise.reject(new Error('ECONNREFUSED'))),
      undefined,
      {
        databaseTimeoutMs: 500,
      },
    );
    expect((await down.check()).checks.database).toBe('unreachable');
    const pending = new ReadinessCheck(dataSource(ok, true), undefined, { databaseTimeoutMs: 500 });
    expect((await pending.check()).problems).toEqual(['migrations pending']);
    const joining = new ReadinessCheck(
      dataSource(ok),
      { status: () => ({ ready: false, problems: ['consumer group g has not joined yet'] }) },
      { databaseTimeoutMs: 500 },
    );
    expect(await joining.check()).toMatchObject({
      ready: false,
      checks: { messaging: 'not-ready' },
      problems: ['consumer group g has not joined yet'],
    });
  });
});

describe('withTimeout', () => {
  it('returns the result when the work is quicker, and "timeout" otherwise', async () => {
    expect(await withTimeout(Promise.resolve(1), 100)).toBe(1);
    expect(await withTimeout(never(), 20)).toBe('timeout');
  });
});
