// Telemetry first: runService starts it before start.ts (the Nest application, express) is imported.
import { runService } from '@divit/observability';
import { loadRetentionCleanupConfigOrExit } from './config/retention-cleanup.config';

void runService({
  service: 'retention-cleanup',
  loadConfig: loadRetentionCleanupConfigOrExit,
  start: () => import('./start'),
});
