// Telemetry first, so instrumentations patch http/express before they are loaded.
import { configureLogging, createLogger, startTelemetry } from '@divit/observability';
import { loadRegistrationConfigOrExit } from './config/registration.config';

const config = loadRegistrationConfigOrExit();
configureLogging({ service: 'registration', level: config.LOG_LEVEL });
startTelemetry({
  serviceName: 'registration',
  disabled: config.OTEL_SDK_DISABLED,
  ...(config.OTEL_EXPORTER_OTLP_ENDPOINT ? { otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT } : {}),
});

async function main(): Promise<void> {
  // Loaded after telemetry on purpose.
  const { bootstrapService } = await import('@divit/service-kit');
  const { AppModule } = await import('./app.module');
  await bootstrapService({ service: 'registration', config, module: AppModule.forRoot(config) });
}

main().catch((error: unknown) => {
  createLogger('bootstrap').error('service failed to start', error);
  process.exit(1);
});
