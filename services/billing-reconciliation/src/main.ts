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
  // Loaded after telemetry on purpose.
  const { bootstrapService } = await import('@divit/service-kit');
  const { AppModule } = await import('./app.module');
  await bootstrapService({ service: 'billing-reconciliation', config, module: AppModule.forRoot(config) });
}

main().catch((error: unknown) => {
  createLogger('bootstrap').error('service failed to start', error);
  process.exit(1);
});
