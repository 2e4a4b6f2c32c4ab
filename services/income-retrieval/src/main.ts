// Telemetry first: runService starts it before start.ts (the Nest application, express) is imported.
import { runService } from '@divit/observability';
import { loadIncomeRetrievalConfigOrExit } from './config/income-retrieval.config';

void runService({
  service: 'income-retrieval',
  loadConfig: loadIncomeRetrievalConfigOrExit,
  start: () => import('./start'),
});
