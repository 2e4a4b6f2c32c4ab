import { DataSourceOptions } from 'typeorm';
import { accessLogEntities, accessLogMigrations } from '@divit/access-log';
import { messagingEntities, messagingMigrations } from '@divit/messaging';
import { periodicTaskMigrations, serviceDataSourceOptions } from '@divit/persistence';
import { erasureMigrations } from '@divit/service-kit';
import { IdentityValidationDatabaseConfig } from '../config/identity-validation.config';
import {
  AllocationEntity,
  BsnHashEntity,
  CoResidentIdentityEntity,
  ConsentStateEntity,
  IdentityCheckRequestEntity,
  ReceiptSigningKeyEntity,
  SharingSessionEntity,
  UsageRecordEntity,
} from './entities';
import { CreateIdentityValidation1764100000000 } from './migrations/1764100000000-create-identity-validation';
import { SimulatorSessionsAndReceiptRestart1765000000000 } from './migrations/1765000000000-simulator-sessions-and-receipt-restart';
import { MoveAccessLogToSharedLibrary1765300000000 } from './migrations/1765300000000-move-access-log-to-shared-library';
import { AllocationExemptionGroup1766100000000 } from './migrations/1766100000000-allocation-exemption-group';

/** Explicit lists: the app, the migration command and the tests use exactly these. */
export const identityValidationEntities = [
  ...messagingEntities,
  ReceiptSigningKeyEntity,
  ConsentStateEntity,
  IdentityCheckRequestEntity,
  CoResidentIdentityEntity,
  AllocationEntity,
  SharingSessionEntity,
  BsnHashEntity,
  UsageRecordEntity,
  ...accessLogEntities,
];
export const identityValidationMigrations = [
  ...messagingMigrations,
  ...erasureMigrations,
  CreateIdentityValidation1764100000000,
  SimulatorSessionsAndReceiptRestart1765000000000,
  ...periodicTaskMigrations,
  ...accessLogMigrations,
  MoveAccessLogToSharedLibrary1765300000000,
  AllocationExemptionGroup1766100000000,
];

export function identityValidationDataSourceOptions(
  config: IdentityValidationDatabaseConfig,
): DataSourceOptions {
  return serviceDataSourceOptions('identity-validation', config, {
    entities: identityValidationEntities,
    migrations: identityValidationMigrations,
  });
}
