// The fault tier's check "periodic jobs once per period across the replicas" (docs/faults.md), as pure functions.

/** One row of a service's `periodic_task_runs` (libs/persistence PeriodicTask). */
export interface PeriodicRow {
  runs: number;
  lastPeriod: number;
  intervalMs: number;
  lastStartedAt: Date | null;
  lastFinishedAt: Date | null;
}

export interface PeriodicState {
  /** Runs finished, plus one for a run started and not finished when the snapshot was taken. */
  runs: number;
  period: number;
  intervalMs: number;
}

/**
 * A run is counted in `runs` only when it finishes, but its period is claimed when it starts. A snapshot taken while
 * a run is in flight therefore holds its period without its run; counted as it stood, that run would land in the
 * next snapshot's difference and a job that ran once per period would read as N + 1 runs in N periods. So a run in
 * flight counts in the snapshot that sees it start. (Should it never finish, killed with its replica, the later
 * difference only comes out one low, which this check does not flag: it looks for runs above periods.)
 */
export function periodicState(row: PeriodicRow): PeriodicState {
  const inFlight =
    row.lastStartedAt !== null &&
    (row.lastFinishedAt === null || row.lastFinishedAt.getTime() < row.lastStartedAt.getTime());
  return { runs: row.runs + (inFlight ? 1 : 0), period: row.lastPeriod, intervalMs: row.intervalMs };
}

export interface PeriodicDelta {
  job: string;
  runs: number;
  periods: number;
  intervalMs: number;
}

/** Runs and periods between two snapshots, per job; a job first seen in `after` started from nothing. */
export function periodicDeltas(
  before: Map<string, PeriodicState>,
  after: Map<string, PeriodicState>,
): PeriodicDelta[] {
  return [...after].map(([job, a]) => {
    const b = before.get(job) ?? {
      runs: 0,
      period: a.period - (a.runs > 0 ? a.runs : 0),
      intervalMs: a.intervalMs,
    };
    return { job, runs: a.runs - b.runs, periods: a.period - b.period, intervalMs: a.intervalMs };
  });
}

/** The jobs that ran more often than there were periods between the snapshots. */
export const ranTwiceInAPeriod = (deltas: PeriodicDelta[]): PeriodicDelta[] =>
  deltas.filter((j) => j.runs > j.periods);
