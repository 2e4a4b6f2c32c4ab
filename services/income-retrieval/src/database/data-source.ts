import { DataSourceOptions } from 'typeorm';
import { messagingEntities, messagingMigrations } from '@divit/messaging';
import { periodicTaskMigrations, serviceDataSourceOptions } from '@divit/persistence';
import { erasureMigrations, organisationScopeMigrations } from '@divit/service-kit';
import { IncomeRetrievalConfig } from '../config/income-retrieval.config';
import {
  AllocationEntity,
  DecisionEntity,
  IncomeNormsEntity,
  MemberRequestEntity,
  MemberSignalEntity,
  PensionAgeStatementEntity,
  SharedIncomeEntity,
} from '../households/household.entities';
import { IncomeStatementEntity } from '../statements/statement.entity';
import { accessLogEntities, accessLogMigrations } from '@divit/access-log';
import { MoveAccessLogToSharedLibrary1765300000000 } from './migrations/1765300000000-move-access-log-to-shared-library';
import { CreateIncomeRetrieval1764000000000 } from './migrations/1764000000000-create-income-retrieval';
import { AwaitingNorms1765400000000 } from './migrations/1765400000000-awaiting-norms';

/** Explicit lists: the app, the migration command and the tests use exactly these. */
export const incomeRetrievalEntities = [
  ...messagingEntities,
  AllocationEntity,
  MemberRequestEntity,
  MemberSignalEntity,
  SharedIncomeEntity,
  PensionAgeStatementEntity,
  DecisionEntity,
  IncomeStatementEntity,
  ...accessLogEntities,
  IncomeNormsEntity,
];
export const incomeRetrievalMigrations = [
  ...messagingMigrations,
  ...erasureMigrations,
  CreateIncomeRetrieval1764000000000,
  ...periodicTaskMigrations,
  ...accessLogMigrations,
  MoveAccessLogToSharedLibrary1765300000000,
  AwaitingNorms1765400000000,
  ...organisationScopeMigrations,
];

export function incomeRetrievalDataSourceOptions(config: IncomeRetrievalConfig): DataSourceOptions {
  return serviceDataSourceOptions('income-retrieval', config, {
    entities: incomeRetrievalEntities,
    migrations: incomeRetrievalMigrations,
  });
}
