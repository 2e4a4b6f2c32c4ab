import { DataSourceOptions } from 'typeorm';
import { messagingEntities, messagingMigrations } from '@divit/messaging';
import { serviceDataSourceOptions } from '@divit/persistence';
import { erasureMigrations } from '@divit/service-kit';
import { ConsentConfig } from '../config/consent.config';
import { accessLogEntities, accessLogMigrations } from '@divit/access-log';
import { ConsentTextEntity } from '../consent-texts/consent-text.entity';
import { ConsentEntity } from '../consents/consent.entity';
import {
  KnownAllocationEntity,
  KnownRegistrationEntity,
  OrganisationEntity,
  OrganisationMembershipEntity,
  OrganisationRouteEntity,
} from '../organisations/organisation.entity';
import { ShowingEntity } from '../showings/showing.entity';
import { SigningKeyEntity } from '../signing-keys/signing-key.entity';
import { CreateConsent1764000000000 } from './migrations/1764000000000-create-consent';
import { MoveAccessLogToSharedLibrary1765300000000 } from './migrations/1765300000000-move-access-log-to-shared-library';
import { KnownAllocations1766100000000 } from './migrations/1766100000000-known-allocations';
import { AllocationAcceptance1767100000000 } from './migrations/1767100000000-allocation-acceptance';

/** Explicit lists: the app, the migration command and the tests use exactly these. */
export const consentEntities = [
  ...messagingEntities,
  OrganisationEntity,
  OrganisationRouteEntity,
  OrganisationMembershipEntity,
  KnownRegistrationEntity,
  KnownAllocationEntity,
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
  KnownAllocations1766100000000,
  AllocationAcceptance1767100000000,
];

export function consentDataSourceOptions(config: ConsentConfig): DataSourceOptions {
  return serviceDataSourceOptions('consent', config, {
    entities: consentEntities,
    migrations: consentMigrations,
  });
}
