// Telemetry first: runService starts it before start.ts (the Nest application, express) is imported.
import { runService } from '@divit/observability';
import { loadConsentConfigOrExit } from './config/consent.config';

void runService({ service: 'consent', loadConfig: loadConsentConfigOrExit, start: () => import('./start') });
