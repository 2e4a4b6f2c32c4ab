import { DataSourceOptions } from 'typeorm';
import { messagingEntities, messagingMigrations } from '@divit/messaging';
import { postgresOptions } from '@divit/persistence';
import { erasureMigrations } from '@divit/service-kit';
import { ConsentConfig } from '../config/consent.config';
import { accessLogEntities, accessLogMigrations } from '@divit/access-log';
import { ConsentTextEntity } from '../consent-texts/consent-text.entity';
import { ConsentEntity } from '../consents/consent.entity';
import {
  KnownRegistrationEntity,
  OrganisationEntity,
  OrganisationMembershipEntity,
  OrganisationRouteEntity,
} from '../organisations/organisation.entity';
import { ShowingEntity } from '../showings/showing.entity';
import { SigningKeyEntity } from '../signing-keys/signing-key.entity';
import { CreateConsent1764000000000 } from './migrations/1764000000000-create-consent';
import { MoveAccessLogToSharedLibrary1765300000000 } from './migrations/1765300000000-move-access-log-to-shared-library';

/** Explicit lists: the app, the migration command and the tests use exactly these. */
export const consentEntities = [
  ...messagingEntities,
  OrganisationEntity,
  OrganisationRouteEntity,
  OrganisationMembershipEntity,
  KnownRegistrationEntity,
  ConsentTextEntity,
  ShowingEntity,
  ConsentEntity,
  SigningKeyEntity,
  ...accessLogEntities,
];
export const consentMigrations = [
  ...messagingMigrations,
  ...erasureMigrations,
  CreateConsent1764000000000,
  ...accessLogMigrations,
  MoveAccessLogToSharedLibrary1765300000000,
];

export function consentDataSourceOptions(config: ConsentConfig): DataSourceOptions {
  return postgresOptions({
    host: config.PGHOST,
    port: config.PGPORT,
    database: config.DB_NAME,
    username: config.DB_USER,
    ...(config.DB_PASSWORD ? { password: config.DB_PASSWORD } : {}),
    poolSize: config.DB_POOL_SIZE,
    acquireTimeoutMs: config.DB_POOL_ACQUIRE_TIMEOUT_MS,
    idleInTransactionTimeoutMs: config.DB_IDLE_IN_TX_TIMEOUT_MS,
    statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
    applicationName: 'consent',
    entities: consentEntities,
    migrations: consentMigrations,
  });
}
