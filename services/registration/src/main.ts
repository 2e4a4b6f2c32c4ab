// Telemetry first: runService starts it before start.ts (the Nest application, express) is imported.
import { runService } from '@divit/observability';
import { loadRegistrationConfigOrExit } from './config/registration.config';

void runService({
  service: 'registration',
  loadConfig: loadRegistrationConfigOrExit,
  start: () => import('./start'),
});
