/** `npm run migrate -w @divit/retention-cleanup-service -- [run|show|check]`: the migration step (never at boot). */
import { runMigrationCommand } from '@divit/persistence';
import { loadRetentionCleanupConfigOrExit } from '../config/retention-cleanup.config';
import { retentionCleanupDataSourceOptions } from './data-source';

runMigrationCommand(() => retentionCleanupDataSourceOptions(loadRetentionCleanupConfigOrExit()));
