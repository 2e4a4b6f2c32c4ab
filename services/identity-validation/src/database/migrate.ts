/** `npm run migrate -w @divit/identity-validation-service -- [run|show|check]`: the migration step (never at boot). */
import { runMigrationCommand } from '@divit/persistence';
import { loadIdentityValidationDatabaseConfigOrExit } from '../config/identity-validation.config';
import { identityValidationDataSourceOptions } from './data-source';

runMigrationCommand(() => identityValidationDataSourceOptions(loadIdentityValidationDatabaseConfigOrExit()));
