import { z } from 'zod';
import { env, loadConfigOrExit, platformConfigShape, EnvSource, loadConfig } from '@divit/config';

/** Every setting of the consent service; keys are the environment variable names. */
export const consentConfigSchema = z
  .object({
    ...platformConfigShape,
    PORT: env.port(3002),
    DB_NAME: z.string().default('divit_consent'),
    DB_USER: z.string().default('divit_consent'),
    DB_PASSWORD: z.string().optional(),
    DB_POOL_SIZE: env.int(10, 1),
    /** How long a showing of a consent text stays usable for an answer (minutes). */
    CONSENT_SHOWING_WINDOW_MINUTES: env.int(30, 1),
    /**
     * Secret: 32 bytes, base64, the key-encryption key the receipt signing keys' private halves are
     * encrypted with (AES-256-GCM) in the database. Required when NODE_ENV=production or
     * DIVIT_ENVIRONMENT=production (without it a development key in the source is used).
     */
    CONSENT_KEY_ENCRYPTION_KEY: z
      .string()
      .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64')
      .optional(),
    /** Optional secret file: {"keys":[{"kid","privateKeyPkcs8Pem"}]} imported at start (last one signs). */
    CONSENT_SIGNING_KEYS_FILE: z.string().optional(),
  })
  .superRefine((config, ctx) => {
    if (
      (config.NODE_ENV === 'production' || config.DIVIT_ENVIRONMENT === 'production') &&
      !config.CONSENT_KEY_ENCRYPTION_KEY
    )
      ctx.addIssue({
        code: 'custom',
        path: ['CONSENT_KEY_ENCRYPTION_KEY'],
        message: 'required when NODE_ENV=production or DIVIT_ENVIRONMENT=production',
      });
  });

export type ConsentConfig = z.infer<typeof consentConfigSchema>;

export const loadConsentConfig = (source?: EnvSource): ConsentConfig =>
  loadConfig(consentConfigSchema, source);
export const loadConsentConfigOrExit = (): ConsentConfig => loadConfigOrExit(consentConfigSchema);
