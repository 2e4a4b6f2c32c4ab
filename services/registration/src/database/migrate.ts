/** `npm run migrate -w @divit/registration-service -- [run|show|check]`: the migration step (never at boot). */
import { runMigrationCommand } from '@divit/persistence';
import { loadRegistrationConfigOrExit } from '../config/registration.config';
import { registrationDataSourceOptions } from './data-source';

runMigrationCommand(() => registrationDataSourceOptions(loadRegistrationConfigOrExit()));
