import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';

/**
 * Periodic work that is safe with any number of replicas (ADR 0012).
 *
 * - **Once per period across replicas.** Time is cut into periods of `intervalMs` by the database's clock
 *   (`floor(epoch_ms / intervalMs)`), so every replica agrees on the period whatever its own clock says. A
 *   replica runs the task only after it has claimed the current period in `periodic_task_runs`
 *   (`UPDATE ... WHERE last_period < $current`); exactly one claim per period succeeds.
 * - **One run at a time across replicas.** The claim and the run happen while the replica holds a
 *   PostgreSQL session-level advisory lock on a connection of its own (not one from the service's pool, so
 *   a run that needs the pool can never wait on its own lock connection). If the replica dies, its session
 *   ends and the lock is free at once; the interrupted period is not re-run, the next one is.
 * - **Overlap guard inside a replica**: a tick while a run is in flight does nothing.
 * - **Stops cleanly**: `stop()` clears the timer, waits for the run in flight and closes the lock connection.
 *
 * `runExclusive()` runs the task now (an operator's "sweep now") under the same lock, without claiming a
 * period; it waits up to `waitMs` for another replica's run to end and then throws `PeriodicTaskBusyError`.
 */
export interface PeriodicTaskOptions<R> {
  dataSource: DataSource;
  /** Unique within the database, e.g. `retention.sweep`. Also the advisory lock's key. */
  name: string;
  /** The period; 0 or less disables the schedule (`runExclusive` still works). */
  intervalMs: number;
  run: () => Promise<R>;
  /** How often a replica checks whether the period is due; default a quarter of the period, 50 ms to 60 s. */
  checkEveryMs?: number;
  onResult?: (result: R) => void;
  onError?: (error: unknown) => void;
}

export type PeriodicRunOutcome<R> =
  | { ran: true; result: R; period: number }
  | { ran: false; reason: 'LOCKED_ELSEWHERE' | 'PERIOD_ALREADY_RUN' | 'RUNNING_HERE' | 'STOPPED' | 'FAILED' };

export class PeriodicTaskBusyError extends Error {
  constructor(readonly task: string) {
    super(`periodic task ${task} is running on another replica`);
    this.name = 'PeriodicTaskBusyError';
  }
}

/** Advisory lock keys live in one bigint space per database; derive a stable one from the task name. */
export function periodicTaskLockKey(name: string): string {
  const digest = createHash('sha256').update(`divit.periodic-task:${name}`).digest();
  return digest.readBigInt64BE(0).toString();
}

export class PeriodicTask<R = unknown> {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<unknown> | undefined;
  private lockClient: Client | undefined;
  private stopped = false;
  private readonly lockKey: string;

  constructor(private readonly options: PeriodicTaskOptions<R>) {
    if (!/^[a-z0-9][a-z0-9._-]{0,99}$/.test(options.name)) {
      throw new Error(`periodic task name ${JSON.stringify(options.name)} must be lower-case, 1-100 chars`);
    }
    this.lockKey = periodicTaskLockKey(options.name);
  }

  get name(): string {
    return this.options.name;
  }

  /** Starts the schedule (no-op when intervalMs <= 0). */
  start(): void {
    if (this.options.intervalMs <= 0 || this.timer) return;
    this.stopped = false;
    const every =
      this.options.checkEveryMs ?? Math.min(60_000, Math.max(50, Math.floor(this.options.intervalMs / 4)));
    this.timer = setInterval(() => void this.tick(), every);
    this.timer.unref();
  }

  /** Stops the schedule, waits for a run in flight, closes the lock connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.inFlight?.catch(() => undefined);
    await this.closeLockClient();
  }

  /** One scheduled attempt: runs the task if this replica wins the lock and the current period is unclaimed. */
  async tick(): Promise<PeriodicRunOutcome<R>> {
    if (this.stopped) return { ran: false, reason: 'STOPPED' };
    if (this.inFlight) return { ran: false, reason: 'RUNNING_HERE' };
    const attempt = this.attempt(true);
    this.inFlight = attempt;
    try {
      const outcome = await attempt;
      if (outcome.ran) this.options.onResult?.(outcome.result);
      return outcome;
    } catch (error) {
      this.options.onError?.(error);
      return { ran: false, reason: 'FAILED' };
    } finally {
      this.inFlight = undefined;
    }
  }

  /** Runs the task now under the cross-replica lock (no period claimed); waits up to waitMs for the lock. */
  async runExclusive(waitMs = 5_000): Promise<R> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      while (this.inFlight) await this.inFlight.catch(() => undefined);
      const attempt = this.attempt(false);
      this.inFlight = attempt;
      let outcome: PeriodicRunOutcome<R>;
      try {
        outcome = await attempt;
      } finally {
        this.inFlight = undefined;
      }
      if (outcome.ran) return outcome.result;
      if (Date.now() >= deadline) throw new PeriodicTaskBusyError(this.options.name);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  private async attempt(claimPeriod: boolean): Promise<PeriodicRunOutcome<R>> {
    const client = await this.connectedLockClient();
    const rows = (await client.query('SELECT pg_try_advisory_lock($1::bigint) AS locked', [this.lockKey]))
      .rows as { locked: boolean }[];
    if (!rows[0]?.locked) return { ran: false, reason: 'LOCKED_ELSEWHERE' };
    try {
      let period = -1;
      if (claimPeriod) {
        const claimed = await client.query(
          `INSERT INTO periodic_task_runs (name, interval_ms, last_period, last_started_at)
             VALUES ($1, $2::bigint, floor(extract(epoch FROM clock_timestamp()) * 1000 / $2::bigint)::bigint, clock_timestamp())
           ON CONFLICT (name) DO UPDATE
             SET interval_ms = EXCLUDED.interval_ms, last_period = EXCLUDED.last_period,
                 last_started_at = EXCLUDED.last_started_at
             WHERE periodic_task_runs.last_period < EXCLUDED.last_period
                OR periodic_task_runs.interval_ms <> EXCLUDED.interval_ms
           RETURNING last_period`,
          [this.options.name, this.options.intervalMs],
        );
        const row = claimed.rows[0] as { last_period: string } | undefined;
        if (!row) return { ran: false, reason: 'PERIOD_ALREADY_RUN' };
        period = Number(row.last_period);
      }
      const result = await this.options.run();
      await client.query(
        `UPDATE periodic_task_runs SET last_finished_at = clock_timestamp(), runs = runs + 1 WHERE name = $1`,
        [this.options.name],
      );
      return { ran: true, result, period };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1::bigint)', [this.lockKey]).catch(async () => {
        // The session is gone (and with it the lock); start a fresh connection next time.
        await this.closeLockClient();
      });
    }
  }

  private async connectedLockClient(): Promise<Client> {
    if (this.lockClient) return this.lockClient;
    const o = this.options.dataSource.options as PostgresConnectionOptions;
    const client = new Client({
      host: o.host,
      port: o.port,
      user: o.username,
      password: typeof o.password === 'string' ? o.password : undefined,
      database: o.database,
      application_name: `${String((o.extra as { application_name?: string } | undefined)?.application_name ?? 'divit')}-lock`,
      connectionTimeoutMillis: 5_000,
    });
    client.on('error', () => {
      // A dropped lock connection releases the lock server-side; reconnect on the next attempt.
      if (this.lockClient === client) this.lockClient = undefined;
    });
    client.on('end', () => {
      if (this.lockClient === client) this.lockClient = undefined;
    });
    await client.connect();
    this.lockClient = client;
    return client;
  }

  private async closeLockClient(): Promise<void> {
    const client = this.lockClient;
    this.lockClient = undefined;
    await client?.end().catch(() => undefined);
  }
}

/** The table behind the period claims; services with periodic work include this migration in their list. */
export class CreatePeriodicTaskRuns1765100000000 implements MigrationInterface {
  name = 'CreatePeriodicTaskRuns1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE IF NOT EXISTS "periodic_task_runs" (
        "name" character varying(100) NOT NULL,
        "interval_ms" bigint NOT NULL,
        "last_period" bigint NOT NULL,
        "last_started_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "last_finished_at" TIMESTAMP WITH TIME ZONE,
        "runs" bigint NOT NULL DEFAULT 0,
        CONSTRAINT "pk_periodic_task_runs" PRIMARY KEY ("name")
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "periodic_task_runs"`);
  }
}

export const periodicTaskMigrations = [CreatePeriodicTaskRuns1765100000000];
