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
  // Bearer tokens (AuthModule in @divit/service-kit; docs/adr/0021). The identity provider's public keys come from
  // exactly one of AUTH_JWKS, AUTH_JWKS_FILE, AUTH_JWKS_URL and AUTH_OIDC_DISCOVERY=true.
  /** JWKS (public keys) inline, read at start (tests, local runs)… */
  AUTH_JWKS: z.string().optional(),
  /** …or a file holding it, read at start (the local development issuer, tools/dev-auth.js)… */
  AUTH_JWKS_FILE: z.string().optional(),
  /** …or the identity provider's JWKS URL: fetched, cached and fetched again when a token names a new key… */
  AUTH_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** …or OIDC discovery: `AUTH_ISSUER` + `/.well-known/openid-configuration` names the JWKS URL (`jwks_uri`). */
  AUTH_OIDC_DISCOVERY: env.bool(false),
  AUTH_ISSUER: z.string().default('divit-local'),
  AUTH_AUDIENCE: z.string().default('divit'),
  /** Token algorithms accepted, each pinned to its key type (RSA: RS256/PS256, EC P-256: ES256, Ed25519: EdDSA). */
  AUTH_ALGORITHMS: env
    .list('RS256,PS256,ES256,EdDSA')
    .pipe(z.array(z.enum(['RS256', 'PS256', 'ES256', 'EdDSA'])).min(1)),
  /** Clock skew tolerated on `exp` and `nbf` (seconds). */
  AUTH_CLOCK_TOLERANCE_SEC: env.int(30, 0).pipe(z.number().max(300)),
  /** Claims a token must carry besides exp, iss, aud, sub and org (comma-separated, e.g. `iat,jti`). */
  AUTH_REQUIRED_CLAIMS: env.list(''),
  /** A fetched JWKS is fetched again after this long (seconds). */
  AUTH_JWKS_CACHE_MAX_AGE_SEC: env.int(600, 1),
  /** After a fetch, an unknown key id triggers no new fetch for this long (seconds): rotation vs made-up key ids. */
  AUTH_JWKS_COOLDOWN_SEC: env.int(30, 0),
  /** Timeout of one request for the discovery document or the JWKS (ms). */
  AUTH_JWKS_TIMEOUT_MS: env.int(5000, 100),
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
