import { z } from 'zod';
import { env, loadConfigOrExit, platformConfigShape, EnvSource, loadConfig } from '@divit/config';

/** Every setting of the income-retrieval service; keys are the environment variable names. */
export const incomeRetrievalConfigSchema = z.object({
  ...platformConfigShape,
  PORT: env.port(3004),
  DB_NAME: z.string().default('divit_income_retrieval'),
  DB_USER: z.string().default('divit_income_retrieval'),
  DB_PASSWORD: z.string().optional(),
  DB_POOL_SIZE: env.int(10, 1),
  /** Hours a member has, from the allocation being recorded, to consent and share before the request expires. */
  REQUEST_DEADLINE_HOURS: env.int(336, 1),
  /** How often the expiry scheduler looks for overdue member requests (0 = off; POST /admin/expiry-sweeps still works). */
  EXPIRY_SWEEP_INTERVAL_MS: env.int(60_000, 0),
  /** Income year rule: offsets from the lease year tried in order, "1,2" = t-1, else t-2; "1" = t-1 only. */
  INCOME_YEAR_OFFSETS: z
    .string()
    .default('1,2')
    .transform((v) => v.split(',').map((s) => Number(s.trim())))
    .pipe(z.array(z.union([z.literal(1), z.literal(2)])).min(1)),
  /**
   * How often the norms resolver decides allocations that awaited norms now in force (0 = timer off; a publication
   * through PUT /norms/{leaseYear} still runs it at once). Once per period across all replicas (ADR 0012, 0017).
   */
  NORMS_RESOLVE_INTERVAL_MS: env.int(60_000, 0),
  /** Directory of the norm files (<year>.json); default the data shipped with the service. */
  NORMS_DIR: z.string().optional(),
  /**
   * Years after the end of the decision's year a used statement is kept for the accountant (default t+2), stated
   * on the statement as `retainUntil`. Keep it equal to retention-cleanup's USED_INCOME policy, which erases it.
   */
  STATEMENT_RETENTION_YEARS: env.int(2, 0),
  /** Consumer tuning (benchmarks): messages per transaction and partitions processed concurrently. */
  CONSUMER_TX_BATCH: env.int(200, 1),
  CONSUMER_CONCURRENCY: env.int(3, 1),
});

export type IncomeRetrievalConfig = z.infer<typeof incomeRetrievalConfigSchema>;

export const loadIncomeRetrievalConfig = (source?: EnvSource): IncomeRetrievalConfig =>
  loadConfig(incomeRetrievalConfigSchema, source);
export const loadIncomeRetrievalConfigOrExit = (): IncomeRetrievalConfig =>
  loadConfigOrExit(incomeRetrievalConfigSchema);
