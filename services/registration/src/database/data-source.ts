import { DataSourceOptions } from 'typeorm';
import { messagingEntities, messagingMigrations } from '@divit/messaging';
import { serviceDataSourceOptions } from '@divit/persistence';
import { erasureMigrations } from '@divit/service-kit';
import { RegistrationConfig } from '../config/registration.config';
import { OrganisationEntity, OrganisationRouteEntity } from '../organisations/organisation.entity';
import { CreateOrganisations1763910000000 } from './migrations/1763910000000-create-organisations';
import { CreateRegistrations1763920000000 } from './migrations/1763920000000-create-registrations';
import { CreateDossierImport1763940000000 } from './migrations/1763940000000-create-dossier-import';
import {
  DossierConcordanceEntity,
  DossierImportLoadEntity,
  DossierImportRejectEntity,
} from '../dossier-import/dossier-import.entity';
import { HouseholdMemberEntity, RegistrationEntity } from '../registrations/registration.entity';
import { accessLogEntities, accessLogMigrations } from '@divit/access-log';
import { CreateAccessLog1763960000000 } from './migrations/1763960000000-create-access-log';
import {
  HousingStockEntity,
  OrganisationMembershipEntity,
} from '../organisations/organisation-membership.entity';
import { OrganisationMembershipsAndHousingStock1763934000000 } from './migrations/1763934000000-organisation-memberships-and-housing-stock';
import { AllocationEntity, AllocationMemberEntity } from '../allocations/allocation.entity';
import { CreateAllocations1763935000000 } from './migrations/1763935000000-create-allocations';
import { ErasedRegistrationEntity } from '../erasure/erasure.entity';
import { AllocationClosureAndErasure1764110000000 } from './migrations/1764110000000-allocation-closure-and-erasure';
import { MoveAccessLogToSharedLibrary1765300000000 } from './migrations/1765300000000-move-access-log-to-shared-library';
import { ErasureAcknowledgementsReplaceAppliedErasures1766000000001 } from './migrations/1766000000001-erasure-acknowledgements-replace-applied-erasures';
import { ConcordanceOutlivesErasedRegistrations1766100000000 } from './migrations/1766100000000-concordance-outlives-erased-registrations';
import { DossierImportDryRun1766100000001 } from './migrations/1766100000001-dossier-import-dry-run';
import { DossierHousehold1766100000002 } from './migrations/1766100000002-dossier-household';
import { NamedUsersAndAccess1767000000000 } from './migrations/1767000000000-named-users-and-access';
import { AllocationAcceptance1767100000000 } from './migrations/1767100000000-allocation-acceptance';

/** Explicit lists: the app, the migration command and the tests use exactly these. */
export const registrationEntities = [
  ...messagingEntities,
  OrganisationEntity,
  OrganisationRouteEntity,
  RegistrationEntity,
  HouseholdMemberEntity,
  DossierImportLoadEntity,
  DossierConcordanceEntity,
  DossierImportRejectEntity,
  ...accessLogEntities,
  OrganisationMembershipEntity,
  HousingStockEntity,
  AllocationEntity,
  AllocationMemberEntity,
  ErasedRegistrationEntity,
];
export const registrationMigrations = [
  ...messagingMigrations,
  ...erasureMigrations,
  CreateOrganisations1763910000000,
  CreateRegistrations1763920000000,
  CreateDossierImport1763940000000,
  CreateAccessLog1763960000000,
  OrganisationMembershipsAndHousingStock1763934000000,
  CreateAllocations1763935000000,
  AllocationClosureAndErasure1764110000000,
  ...accessLogMigrations,
  MoveAccessLogToSharedLibrary1765300000000,
  ErasureAcknowledgementsReplaceAppliedErasures1766000000001,
  ConcordanceOutlivesErasedRegistrations1766100000000,
  DossierImportDryRun1766100000001,
  DossierHousehold1766100000002,
  NamedUsersAndAccess1767000000000,
  AllocationAcceptance1767100000000,
];

export function registrationDataSourceOptions(config: RegistrationConfig): DataSourceOptions {
  return serviceDataSourceOptions('registration', config, {
    entities: registrationEntities,
    migrations: registrationMigrations,
  });
}
