/** `npm run migrate -w @divit/income-retrieval-service -- [run|show|check]`: the migration step (never at boot). */
import { runMigrationCommand } from '@divit/persistence';
import { loadIncomeRetrievalConfigOrExit } from '../config/income-retrieval.config';
import { incomeRetrievalDataSourceOptions } from './data-source';

runMigrationCommand(() => incomeRetrievalDataSourceOptions(loadIncomeRetrievalConfigOrExit()));
