import { z } from 'zod';
import { env, loadConfigOrExit, platformConfigShape, EnvSource, loadConfig } from '@divit/config';

/** Every setting of the retention-cleanup service; keys are the environment variable names. */
export const retentionCleanupConfigSchema = z.object({
  ...platformConfigShape,
  PORT: env.port(3006),
  DB_NAME: z.string().default('divit_retention_cleanup'),
  DB_USER: z.string().default('divit_retention_cleanup'),
  DB_PASSWORD: z.string().optional(),
  DB_POOL_SIZE: env.int(10, 1),
  /** Seconds between scheduled sweeps (age-based commands, due erasures, re-sends). 0 disables the timer. */
  SWEEP_INTERVAL_SECONDS: env.int(300, 0),
  /** A command not acknowledged this many seconds after it was (re-)sent is sent again (same erasure id). */
  ERASURE_RESEND_AFTER_SECONDS: env.int(3600, 0),
  /** A due erasure still not acknowledged this many seconds after its due time is overdue. */
  ERASURE_OVERDUE_AFTER_SECONDS: env.int(86400, 0),
  /** Commands issued per database transaction when a sweep issues many (set-based). */
  SWEEP_BATCH_SIZE: env.int(5000, 1),
  /** Claim loops a sweep runs at once, each in its own transaction and connection (at most DB_POOL_SIZE - 2). */
  SWEEP_WORKERS: env.int(2, 1),
  /**
   * Outbox rows the relay publishes per Kafka request and transaction (the library default is 1000; a sweep of
   * a million commands is relay-bound, and larger batches amortise the acks=all round trip and the delete).
   */
  OUTBOX_RELAY_BATCH_SIZE: env.int(5000, 1),
});

export type RetentionCleanupConfig = z.infer<typeof retentionCleanupConfigSchema>;

export const loadRetentionCleanupConfig = (source?: EnvSource): RetentionCleanupConfig =>
  loadConfig(retentionCleanupConfigSchema, source);
export const loadRetentionCleanupConfigOrExit = (): RetentionCleanupConfig =>
  loadConfigOrExit(retentionCleanupConfigSchema);
