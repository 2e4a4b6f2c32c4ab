import { z } from 'zod';

/** Reusable field parsers for environment variables (all inputs are strings). */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback),
  int: (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback),
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  list: (fallback: string) =>
    z
      .string()
      .default(fallback)
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s.length > 0),
      ),
  url: (fallback: string) => z.url().default(fallback),
  /** A secret: required, never echoed. */
  secret: () => z.string().min(1),
};

/** Connection settings every service shares. Keys are the environment variable names. */
export const platformConfigShape = {
  /**
   * Where the process runs. `production` refuses simulators and development switches at start (see
   * productionProblems in production-mode.ts). The container image sets `production`; plain local
   * processes default to `development`.
   */
  DIVIT_ENVIRONMENT: z.enum(['production', 'staging', 'development']).default('development'),
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  SERVICE_INSTANCE_ID: z.string().optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  KAFKA_BROKERS: env.list('127.0.0.1:9092'),
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[a-z0-9._-]*$/)
    .default(''),
  SCHEMA_REGISTRY_URL: env.url('http://127.0.0.1:8081/apis/ccompat/v7'),
  SCHEMA_AUTO_REGISTER: env.bool(false),
  PGHOST: z.string().default('127.0.0.1'),
  PGPORT: env.port(5432),
  /** JWKS (public keys) of the identity provider whose bearer tokens the service accepts… */
  AUTH_JWKS: z.string().optional(),
  /** …or a file holding it. One of the two is required. */
  AUTH_JWKS_FILE: z.string().optional(),
  AUTH_ISSUER: z.string().default('divit-local'),
  AUTH_AUDIENCE: z.string().default('divit'),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  OTEL_SDK_DISABLED: env.bool(false),

  // HTTP (configureHttpApp in @divit/service-kit)
  /** Address the HTTP server binds to: loopback locally; containers set 0.0.0.0 explicitly. */
  HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  /** Largest JSON/form request body in bytes (larger: 413); upload routes have their own service limit. */
  HTTP_BODY_LIMIT_BYTES: env.int(1024 * 1024, 1024),
  /** Proxies in front of the service whose X-Forwarded-For is trusted for the client address (0 = none). */
  HTTP_TRUST_PROXY_HOPS: env.int(0, 0),
  /** Per-client request rate limit (token bucket, per authenticated subject, else per client address). */
  RATE_LIMIT_ENABLED: env.bool(true),
  /** Requests per minute a client's bucket refills with. */
  RATE_LIMIT_PER_MINUTE: env.int(1200, 1),
  /** Bucket size: requests a client may send at once before the per-minute rate applies. */
  RATE_LIMIT_BURST: env.int(600, 1),

  // PostgreSQL pool (postgresOptions in @divit/persistence)
  /** Connections in the service's pool. */
  DB_POOL_SIZE: env.int(10, 1),
  /** Longest wait for a pool connection before the request fails with 503 (0 = wait forever). */
  DB_POOL_ACQUIRE_TIMEOUT_MS: env.int(5000, 0),
  /** PostgreSQL ends a session left idle inside a transaction this long (0 = never). */
  DB_IDLE_IN_TX_TIMEOUT_MS: env.int(60_000, 0),
  /** PostgreSQL cancels a statement running longer than this (0 = no limit). */
  DB_STATEMENT_TIMEOUT_MS: env.int(60_000, 0),
  /** /health/ready answers 503 when the database does not answer within this time. */
  HEALTH_DB_TIMEOUT_MS: env.int(2000, 100),
};
