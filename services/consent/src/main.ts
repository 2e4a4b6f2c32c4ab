// Telemetry first, so instrumentations patch http/express before they are loaded.
import { configureLogging, createLogger, startTelemetry } from '@divit/observability';
import { loadConsentConfigOrExit } from './config/consent.config';

const config = loadConsentConfigOrExit();
configureLogging({ service: 'consent', level: config.LOG_LEVEL });
startTelemetry({
  serviceName: 'consent',
  disabled: config.OTEL_SDK_DISABLED,
  ...(config.OTEL_EXPORTER_OTLP_ENDPOINT ? { otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT } : {}),
});

async function main(): Promise<void> {
  // Loaded after telemetry on purpose.
  const { bootstrapService } = await import('@divit/service-kit');
  const { AppModule } = await import('./app.module');
  await bootstrapService({ service: 'consent', config, module: AppModule.forRoot(config) });
}

main().catch((error: unknown) => {
  createLogger('bootstrap').error('service failed to start', error);
  process.exit(1);
});
