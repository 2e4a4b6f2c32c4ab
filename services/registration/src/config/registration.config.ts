import { z } from 'zod';
import { env, loadConfigOrExit, platformConfigShape, EnvSource, loadConfig } from '@divit/config';

/** Every setting of the registration service; keys are the environment variable names. */
export const registrationConfigSchema = z.object({
  ...platformConfigShape,
  PORT: env.port(3001),
  DB_NAME: z.string().default('divit_registration'),
  DB_USER: z.string().default('divit_registration'),
  DB_PASSWORD: z.string().optional(),
  DB_POOL_SIZE: env.int(10, 1),
  /** Largest dossier file POST /dossier-imports accepts (bytes, by Content-Length; streamed, not buffered). */
  DOSSIER_IMPORT_LIMIT_BYTES: env.int(2 * 1024 * 1024 * 1024, 1024),
});

export type RegistrationConfig = z.infer<typeof registrationConfigSchema>;

export const loadRegistrationConfig = (source?: EnvSource): RegistrationConfig =>
  loadConfig(registrationConfigSchema, source);
export const loadRegistrationConfigOrExit = (): RegistrationConfig =>
  loadConfigOrExit(registrationConfigSchema);
