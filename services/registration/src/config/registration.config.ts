import { z } from 'zod';
import { env, loadConfigOrExit, platformConfigShape, EnvSource, loadConfig } from '@divit/config';

/** Every setting of the registration service; keys are the environment variable names. */
export const registrationConfigSchema = z
  .object({
    ...platformConfigShape,
    PORT: env.port(3001),
    DB_NAME: z.string().default('divit_registration'),
    DB_USER: z.string().default('divit_registration'),
    DB_PASSWORD: z.string().optional(),
    DB_POOL_SIZE: env.int(10, 1),
    /** Largest dossier file POST /dossier-imports accepts (bytes, by Content-Length; streamed, not buffered). */
    DOSSIER_IMPORT_LIMIT_BYTES: env.int(2 * 1024 * 1024 * 1024, 1024),
    /**
     * The migration window (ISO 8601 instants, e.g. 2027-01-10T00:00:00Z): the migration supplier's role
     * (`dossier-import`) may import dossiers from START (inclusive) to END (exclusive), never outside it; without
     * both, the supplier is refused always. The platform operator is not bound by it. Seed 004: the supplier's access
     * is temporary and ends with the migration.
     */
    MIGRATION_WINDOW_START: z.iso.datetime({ offset: true }).optional(),
    MIGRATION_WINDOW_END: z.iso.datetime({ offset: true }).optional(),
    /**
     * The identity provider's admin API (Keycloak, docs/adr/0030) for named users: base URL (e.g.
     * http://127.0.0.1:8180), realm, and a confidential client with a service account holding the realm-management
     * roles manage-users, view-users, view-events, manage-clients and view-realm (to read realm roles). Without IDP_ADMIN_URL the user routes answer
     * 404 IDENTITY_PROVIDER_NOT_CONFIGURED (switched off) and no login events are read.
     */
    IDP_ADMIN_URL: z.url().optional(),
    IDP_REALM: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,100}$/)
      .default('divit'),
    IDP_ADMIN_CLIENT_ID: z.string().min(1).max(200).default('registration-user-admin'),
    IDP_ADMIN_CLIENT_SECRET: z.string().min(1).optional(),
    /** How often the identity provider's login events are read into the access log (0 = never). */
    LOGIN_EVENTS_INTERVAL_MS: env.int(30_000, 0),
    /** An organisation's access review is overdue when its last one is older than this many months (seed 002: six). */
    ACCESS_REVIEW_MAX_AGE_MONTHS: env.int(6, 1),
  })
  .superRefine((config, ctx) => {
    if (config.IDP_ADMIN_URL !== undefined && config.IDP_ADMIN_CLIENT_SECRET === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['IDP_ADMIN_CLIENT_SECRET'],
        message: 'IDP_ADMIN_URL needs IDP_ADMIN_CLIENT_SECRET',
      });
    const { MIGRATION_WINDOW_START: start, MIGRATION_WINDOW_END: end } = config;
    if ((start === undefined) !== (end === undefined))
      ctx.addIssue({
        code: 'custom',
        path: [start === undefined ? 'MIGRATION_WINDOW_START' : 'MIGRATION_WINDOW_END'],
        message: 'set both MIGRATION_WINDOW_START and MIGRATION_WINDOW_END, or neither',
      });
    else if (start !== undefined && end !== undefined && Date.parse(end) <= Date.parse(start))
      ctx.addIssue({
        code: 'custom',
        path: ['MIGRATION_WINDOW_END'],
        message: 'MIGRATION_WINDOW_END must be after MIGRATION_WINDOW_START',
      });
  });

export type RegistrationConfig = z.infer<typeof registrationConfigSchema>;

export const loadRegistrationConfig = (source?: EnvSource): RegistrationConfig =>
  loadConfig(registrationConfigSchema, source);
export const loadRegistrationConfigOrExit = (): RegistrationConfig =>
  loadConfigOrExit(registrationConfigSchema);
