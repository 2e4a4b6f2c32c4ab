/** `npm run migrate -w @divit/retention-cleanup-service -- [run|show|check]`: the migration step (never at boot). */
import { migrationCli } from '@divit/persistence';
import { loadRetentionCleanupConfigOrExit } from '../config/retention-cleanup.config';
import { retentionCleanupDataSourceOptions } from './data-source';

migrationCli(retentionCleanupDataSourceOptions(loadRetentionCleanupConfigOrExit())).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`migration failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
