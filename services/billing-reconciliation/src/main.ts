// Telemetry first, so instrumentations patch http/express before they are loaded.
import { configureLogging, createLogger, startTelemetry } from '@divit/observability';
import { loadBillingConfigOrExit } from './config/billing.config';

const config = loadBillingConfigOrExit();
configureLogging({ service: 'billing-reconciliation', level: config.LOG_LEVEL });
startTelemetry({
  serviceName: 'billing-reconciliation',
  disabled: config.OTEL_SDK_DISABLED,
  ...(config.OTEL_EXPORTER_OTLP_ENDPOINT ? { otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT } : {}),
});

async function main(): Promise<void> {
  // The Nest application, express and the libraries it pulls in, loaded after telemetry on purpose.
  const { start } = await import('./start');
  await start(config);
}

main().catch((error: unknown) => {
  createLogger('bootstrap').error('service failed to start', error);
  process.exit(1);
});
