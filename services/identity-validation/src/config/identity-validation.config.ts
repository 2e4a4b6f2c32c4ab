import * as fs from 'node:fs';
import { z } from 'zod';
import { env, loadConfig, loadConfigOrExit, platformConfigShape, EnvSource } from '@divit/config';

/** One HMAC key for the BSN hash. The secret is never logged or echoed in a config error. */
export interface BsnHashKey {
  id: string;
  secret: Buffer;
}

const MIN_SECRET_BYTES = 32;

const hashKeysJson = z.string().transform((text, ctx): { id: string; secret: string }[] => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be a JSON array of {id, secret}' });
    return z.NEVER;
  }
  const shape = z
    .array(z.strictObject({ id: z.string().regex(/^[A-Za-z0-9._-]{1,32}$/), secret: z.string() }))
    .min(1);
  const result = shape.safeParse(parsed);
  if (!result.success) {
    // Only the position of the bad entry and the rule, never the value.
    const where = result.error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
    ctx.addIssue({
      code: 'custom',
      message: `must be a JSON array of {id, secret}; bad entries at ${where}`,
    });
    return z.NEVER;
  }
  return result.data;
});

/** Every setting of the identity-validation service; keys are the environment variable names. */
export const identityValidationConfigSchema = z
  .object({
    ...platformConfigShape,
    PORT: env.port(3003),
    DB_NAME: z.string().default('divit_identity_validation'),
    DB_USER: z.string().default('divit_identity_validation'),
    DB_PASSWORD: z.string().optional(),
    DB_POOL_SIZE: env.int(10, 1),

    /** BSN hash keys: JSON `[{"id":"k1","secret":"<base64 of ≥32 random bytes>"}]`, or a file holding it. */
    BSN_HASH_KEYS: hashKeysJson.optional(),
    BSN_HASH_KEYS_FILE: z.string().optional(),
    /** The key new hashes are made with; matching tries every configured key. */
    BSN_HASH_ACTIVE_KEY_ID: z.string().min(1).optional(),

    /** How long a sharing session may take from start to delivery (and to confirmation), in seconds. */
    SESSION_TIMEOUT_SECONDS: env.int(900, 1),
    /** How often the sweeper expires sessions and stale identifying data, in milliseconds. */
    SWEEP_INTERVAL_MS: env.int(5000, 50),
    /** Identifying data for a check that never started is deleted after this many seconds (topic keeps 1 day). */
    IDENTITY_DATA_TTL_SECONDS: env.int(86400, 1),
    /** Where the person is sent back after MijnOverheid (the seeker front end), if any. */
    RETURN_URL: z.url().optional(),

    /**
     * DvMG (MijnOverheid "Delen van MijnGegevens"): the real service (default) or the labelled SIMULATOR,
     * which local runs and tests choose explicitly. DIVIT_ENVIRONMENT=production refuses `simulator`.
     */
    DVMG_MODE: z.enum(['simulator', 'real']).default('real'),
    /** MijnOverheid's certificate or public key (PEM) deliveries are verified with; required in real mode. */
    DVMG_PUBLIC_KEY: z.string().optional(),
    DVMG_PUBLIC_KEY_FILE: z.string().optional(),
    /** Real mode: base URL of the DvMG session API and the mutual-TLS files. */
    DVMG_BASE_URL: z.url().optional(),
    DVMG_TLS_CERT_FILE: z.string().optional(),
    DVMG_TLS_KEY_FILE: z.string().optional(),
    DVMG_TLS_CA_FILE: z.string().optional(),
    /** SIMULATOR only: the base URL the simulated MijnOverheid pages are reached at (redirect target). */
    DVMG_SIMULATOR_BASE_URL: z.url().optional(),
    /** SIMULATOR only: where the simulator delivers datasets; default: this service's own /dvmg/deliveries. */
    DVMG_SIMULATOR_DELIVERY_URL: z.url().optional(),
    /** SIMULATOR only: the simulator's Ed25519 private key (PKCS#8 PEM); generated at boot when absent. */
    DVMG_SIMULATOR_PRIVATE_KEY_FILE: z.string().optional(),

    /** BV BSN (RvIG): the real service (default) or the labelled SIMULATOR (chosen explicitly). */
    BVBSN_MODE: z.enum(['simulator', 'real']).default('real'),
    BVBSN_BASE_URL: z.url().optional(),
    BVBSN_TLS_CERT_FILE: z.string().optional(),
    BVBSN_TLS_KEY_FILE: z.string().optional(),
    BVBSN_TLS_CA_FILE: z.string().optional(),
    BVBSN_TIMEOUT_MS: env.int(10_000, 1),
    /** SIMULATOR only: added latency per call and the share of calls that fail technically (0..1). */
    BVBSN_SIMULATOR_LATENCY_MS: env.int(0, 0),
    BVBSN_SIMULATOR_ERROR_RATE: z.coerce.number().min(0).max(1).default(0),

    /**
     * SIMULATOR only: mount the /simulators/* HTTP endpoints (pages and controls that can complete a
     * sharing session). Off unless set; allowed only with a simulator mode, and needs SIMULATOR_TOKEN.
     */
    SIMULATOR_ENDPOINTS_ENABLED: env.bool(false),
    /** SIMULATOR only: the token callers of /simulators/* send in the x-simulator-token header (≥ 32 chars). */
    SIMULATOR_TOKEN: z.string().min(32).optional(),
  })
  .superRefine((c, ctx) => {
    if (!c.BSN_HASH_KEYS && !c.BSN_HASH_KEYS_FILE)
      ctx.addIssue({ code: 'custom', path: ['BSN_HASH_KEYS'], message: 'required (or BSN_HASH_KEYS_FILE)' });
    if (!c.BSN_HASH_ACTIVE_KEY_ID)
      ctx.addIssue({ code: 'custom', path: ['BSN_HASH_ACTIVE_KEY_ID'], message: 'required' });
    const realNeeds = (mode: string, prefix: 'DVMG' | 'BVBSN') => {
      if (mode !== 'real') return;
      for (const key of ['BASE_URL', 'TLS_CERT_FILE', 'TLS_KEY_FILE', 'TLS_CA_FILE'] as const) {
        const name = `${prefix}_${key}` as const;
        if (!c[name])
          ctx.addIssue({ code: 'custom', path: [name], message: `required when ${prefix}_MODE=real` });
      }
    };
    realNeeds(c.DVMG_MODE, 'DVMG');
    realNeeds(c.BVBSN_MODE, 'BVBSN');
    if (c.SIMULATOR_ENDPOINTS_ENABLED) {
      if (c.DVMG_MODE !== 'simulator' && c.BVBSN_MODE !== 'simulator')
        ctx.addIssue({
          code: 'custom',
          path: ['SIMULATOR_ENDPOINTS_ENABLED'],
          message: 'only with DVMG_MODE=simulator or BVBSN_MODE=simulator',
        });
      if (!c.SIMULATOR_TOKEN)
        ctx.addIssue({
          code: 'custom',
          path: ['SIMULATOR_TOKEN'],
          message: 'required when SIMULATOR_ENDPOINTS_ENABLED=true',
        });
    }
    if (c.DVMG_MODE === 'real' && !c.DVMG_PUBLIC_KEY && !c.DVMG_PUBLIC_KEY_FILE)
      ctx.addIssue({
        code: 'custom',
        path: ['DVMG_PUBLIC_KEY'],
        message: 'required when DVMG_MODE=real (or DVMG_PUBLIC_KEY_FILE)',
      });
  });

export type IdentityValidationConfig = z.infer<typeof identityValidationConfigSchema> & {
  BSN_HASH_ACTIVE_KEY_ID: string;
};

/**
 * What the migration step needs: the database settings only. The migration job never sees the BSN hash
 * keys or government endpoints (least privilege).
 */
export const identityValidationDatabaseConfigSchema = z.object({
  ...platformConfigShape,
  DB_NAME: z.string().default('divit_identity_validation'),
  DB_USER: z.string().default('divit_identity_validation'),
  DB_PASSWORD: z.string().optional(),
  DB_POOL_SIZE: env.int(10, 1),
});
export type IdentityValidationDatabaseConfig = z.infer<typeof identityValidationDatabaseConfigSchema>;
export const loadIdentityValidationDatabaseConfigOrExit = (): IdentityValidationDatabaseConfig =>
  loadConfigOrExit(identityValidationDatabaseConfigSchema);

// The refinement above guarantees BSN_HASH_ACTIVE_KEY_ID, which the object shape keeps optional so the
// deploy validation does not demand it from the migration job.
export const loadIdentityValidationConfig = (source?: EnvSource): IdentityValidationConfig =>
  loadConfig(identityValidationConfigSchema, source) as IdentityValidationConfig;
export const loadIdentityValidationConfigOrExit = (): IdentityValidationConfig =>
  loadConfigOrExit(identityValidationConfigSchema) as IdentityValidationConfig;

/** Raised for key material that parses but is unusable; names the key id, never the secret. */
export class BsnKeyConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BsnKeyConfigError';
  }
}

/**
 * The BSN hash key ring from BSN_HASH_KEYS or BSN_HASH_KEYS_FILE. Errors name the setting and the key
 * id, never a secret.
 */
export function bsnHashKeys(config: IdentityValidationConfig): { keys: BsnHashKey[]; activeKeyId: string } {
  let entries = config.BSN_HASH_KEYS;
  if (!entries && config.BSN_HASH_KEYS_FILE) {
    let text: string;
    try {
      text = fs.readFileSync(config.BSN_HASH_KEYS_FILE, 'utf8');
    } catch {
      throw new BsnKeyConfigError('BSN_HASH_KEYS_FILE (cannot be read)');
    }
    const parsed = hashKeysJson.safeParse(text);
    if (!parsed.success)
      throw new BsnKeyConfigError('BSN_HASH_KEYS_FILE (must hold a JSON array of {id, secret})');
    entries = parsed.data;
  }
  if (!entries) throw new BsnKeyConfigError('BSN_HASH_KEYS (required)');
  const seen = new Set<string>();
  const keys = entries.map((entry) => {
    if (seen.has(entry.id)) throw new BsnKeyConfigError(`BSN_HASH_KEYS (key ${entry.id} appears twice)`);
    seen.add(entry.id);
    const secret = Buffer.from(entry.secret, 'base64');
    if (
      secret.length < MIN_SECRET_BYTES ||
      secret.toString('base64').replace(/=+$/, '') !== entry.secret.replace(/=+$/, '')
    )
      throw new BsnKeyConfigError(
        `BSN_HASH_KEYS (key ${entry.id}: secret must be base64 of at least ${MIN_SECRET_BYTES} bytes)`,
      );
    return { id: entry.id, secret };
  });
  if (!seen.has(config.BSN_HASH_ACTIVE_KEY_ID))
    throw new BsnKeyConfigError('BSN_HASH_ACTIVE_KEY_ID (names no key in BSN_HASH_KEYS)');
  return { keys, activeKeyId: config.BSN_HASH_ACTIVE_KEY_ID };
}

/** Reads a PEM from an inline setting or a file setting; null when neither is set. */
export function readPem(inline: string | undefined, file: string | undefined, name: string): string | null {
  if (inline) return inline.replace(/\\n/g, '\n');
  if (!file) return null;
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    throw new BsnKeyConfigError(`${name} (cannot be read)`);
  }
}

/** Reads a file named by a setting (TLS material); errors name the setting only. */
export function readSettingFile(file: string, name: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch {
    throw new BsnKeyConfigError(`${name} (cannot be read)`);
  }
}
