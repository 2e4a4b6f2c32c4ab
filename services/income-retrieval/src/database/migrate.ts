/** `npm run migrate -w @divit/income-retrieval-service -- [run|show|check]`: the migration step (never at boot). */
import { migrationCli } from '@divit/persistence';
import { loadIncomeRetrievalConfigOrExit } from '../config/income-retrieval.config';
import { incomeRetrievalDataSourceOptions } from './data-source';

migrationCli(incomeRetrievalDataSourceOptions(loadIncomeRetrievalConfigOrExit())).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`migration failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
