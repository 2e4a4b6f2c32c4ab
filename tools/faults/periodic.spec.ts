import { periodicDeltas, periodicState, ranTwiceInAPeriod, PeriodicRow } from './periodic';

const at = (s: number) => new Date(Date.UTC(2026, 11, 7, 22, 0, s));
const row = (r: Partial<PeriodicRow>): PeriodicRow => ({
  runs: 0,
  lastPeriod: 0,
  intervalMs: 60_000,
  lastStartedAt: null,
  lastFinishedAt: null,
  ...r,
});
const snapshot = (r: PeriodicRow) => new Map([['income-retrieval/norms-resolver', periodicState(r)]]);

describe('the fault tier check: periodic jobs once per period', () => {
  it('a run in flight at the first snapshot is not a second run in a period (fault run 706349 read 9 runs in 8 periods)', () => {
    // Before: period 100 claimed at :00 and still running (runs 5 counts the periods 95..99).
    const before = snapshot(row({ runs: 5, lastPeriod: 100, lastStartedAt: at(0), lastFinishedAt: at(-55) }));
    // After: the run of period 100 finished, and one run in each of the periods 101..108.
    const after = snapshot(
      row({ runs: 14, lastPeriod: 108, lastStartedAt: at(480), lastFinishedAt: at(481) }),
    );
    const deltas = periodicDeltas(before, after);
    expect(deltas).toEqual([
      { job: 'income-retrieval/norms-resolver', runs: 8, periods: 8, intervalMs: 60_000 },
    ]);
    expect(ranTwiceInAPeriod(deltas)).toEqual([]);
  });

  it('still finds a job that really ran twice in one period', () => {
    const before = snapshot(row({ runs: 5, lastPeriod: 100, lastStartedAt: at(0), lastFinishedAt: at(1) }));
    const after = snapshot(row({ runs: 7, lastPeriod: 101, lastStartedAt: at(60), lastFinishedAt: at(61) }));
    expect(ranTwiceInAPeriod(periodicDeltas(before, after))).toEqual([
      { job: 'income-retrieval/norms-resolver', runs: 2, periods: 1, intervalMs: 60_000 },
    ]);
  });

  it('a run killed with its replica after claiming its period is one run short, not a failure', () => {
    const before = snapshot(row({ runs: 5, lastPeriod: 100, lastStartedAt: at(0), lastFinishedAt: at(1) }));
    const after = snapshot(
      row({ runs: 7, lastPeriod: 103, lastStartedAt: at(180), lastFinishedAt: at(121) }),
    );
    // The run of 103 is in flight at the second snapshot: counted. The run of 102 never finished: not counted.
    expect(periodicDeltas(before, after)[0]).toMatchObject({ runs: 3, periods: 3 });
  });

  it('a job first seen after the start counts from nothing', () => {
    const after = snapshot(row({ runs: 3, lastPeriod: 10, lastStartedAt: at(0), lastFinishedAt: at(1) }));
    expect(periodicDeltas(new Map(), after)[0]).toMatchObject({ runs: 3, periods: 3 });
  });
});
