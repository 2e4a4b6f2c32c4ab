import { DataSourceOptions } from 'typeorm';
import { accessLogEntities, accessLogMigrations } from '@divit/access-log';
import { messagingEntities, messagingMigrations } from '@divit/messaging';
import { periodicTaskMigrations, serviceDataSourceOptions } from '@divit/persistence';
import { organisationScopeMigrations } from '@divit/service-kit';
import { RetentionCleanupConfig } from '../config/retention-cleanup.config';
import { PolicyOverrideEntity } from '../policies/policy-override.entity';
import { OrganisationAgreementEntity } from '../policies/organisation-agreement.entity';
import { ScheduledErasureEntity } from '../erasures/scheduled-erasure.entity';
import { LegalHoldAuditEntity, LegalHoldEntity } from '../holds/legal-hold.entity';
import { DeletionLogEntity } from '../deletion-log/deletion-log.entity';
import { CreateRetention1764100000000 } from './migrations/1764100000000-create-retention';
import { RetentionAgreements1767100000000 } from './migrations/1767100000000-retention-agreements';

/** Explicit lists: the app, the migration command and the tests use exactly these. */
export const retentionCleanupEntities = [
  ...messagingEntities,
  PolicyOverrideEntity,
  OrganisationAgreementEntity,
  ScheduledErasureEntity,
  LegalHoldEntity,
  LegalHoldAuditEntity,
  DeletionLogEntity,
  ...accessLogEntities,
];
export const retentionCleanupMigrations = [
  ...messagingMigrations,
  CreateRetention1764100000000,
  ...periodicTaskMigrations,
  ...accessLogMigrations,
  ...organisationScopeMigrations,
  RetentionAgreements1767100000000,
];

export function retentionCleanupDataSourceOptions(config: RetentionCleanupConfig): DataSourceOptions {
  return serviceDataSourceOptions('retention-cleanup', config, {
    entities: retentionCleanupEntities,
    migrations: retentionCleanupMigrations,
  });
}
