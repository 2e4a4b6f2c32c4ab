// Telemetry first: runService starts it before start.ts (the Nest application, express) is imported.
import { runService } from '@divit/observability';
import { loadBillingConfigOrExit } from './config/billing.config';

void runService({
  service: 'billing-reconciliation',
  loadConfig: loadBillingConfigOrExit,
  start: () => import('./start'),
});
