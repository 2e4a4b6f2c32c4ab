import { z } from 'zod';
import { env, loadConfigOrExit, platformConfigShape, EnvSource, loadConfig } from '@divit/config';

/** Every setting of the billing-reconciliation service; keys are the environment variable names. */
export const billingConfigSchema = z.object({
  ...platformConfigShape,
  PORT: env.port(3005),
  DB_NAME: z.string().default('divit_billing_reconciliation'),
  DB_USER: z.string().default('divit_billing_reconciliation'),
  DB_PASSWORD: z.string().optional(),
  DB_POOL_SIZE: env.int(10, 1),
  /** The tariff data file shipped with the service (date-versioned, per issuer); admin API rows override it. */
  BILLING_TARIFFS_FILE: z.string().optional(),
  /** Default tolerance per unit line (euro cents) below which an amount difference counts as rounding. */
  BILLING_TOLERANCE_CENTS: env.int(2, 0),
  /** Largest invoice file (CSV) accepted by POST /invoices, in bytes; a larger one is refused with 413. */
  BILLING_INVOICE_FILE_MAX_BYTES: env.int(10_485_760, 1),
  /**
   * Events handled per database transaction by the usage consumer (handleBatch): one inbox statement and one
   * ledger statement per chunk. At most 10 000 (the inbox writes 6 bind parameters per event; PostgreSQL
   * allows 65 535). A kafkajs fetch brings ~1 MiB per partition (~3-4 000 usage events), so 5 000 makes
   * each fetched partition batch one transaction.
   */
  BILLING_USAGE_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(5000),
  /** Partitions the usage consumer works on at once (each with its own transaction and pool connection). */
  BILLING_USAGE_CONCURRENCY: env.int(6, 1),
});

export type BillingConfig = z.infer<typeof billingConfigSchema>;

export const loadBillingConfig = (source?: EnvSource): BillingConfig =>
  loadConfig(billingConfigSchema, source);
export const loadBillingConfigOrExit = (): BillingConfig => loadConfigOrExit(billingConfigSchema);
