// Telemetry first: runService starts it before start.ts (the Nest application, express) is imported.
import { runService } from '@divit/observability';
import { loadIdentityValidationConfigOrExit } from './config/identity-validation.config';

void runService({
  service: 'identity-validation',
  loadConfig: loadIdentityValidationConfigOrExit,
  start: () => import('./start'),
});
