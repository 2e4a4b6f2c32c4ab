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
};
