/** `npm run migrate -w @divit/consent-service -- [run|show|check]`: the migration step (never at boot). */
import { runMigrationCommand } from '@divit/persistence';
import { loadConsentConfigOrExit } from '../config/consent.config';
import { consentDataSourceOptions } from './data-source';

runMigrationCommand(() => consentDataSourceOptions(loadConsentConfigOrExit()));
