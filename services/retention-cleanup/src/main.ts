// Telemetry first, so instrumentations patch http/express before they are loaded.
import { configureLogging, JsonNestLogger, startTelemetry, createLogger } from '@divit/observability';
import { loadRetentionCleanupConfigOrExit } from './config/retention-cleanup.config';

const config = loadRetentionCleanupConfigOrExit();
configureLogging({ service: 'retention-cleanup', level: config.LOG_LEVEL });
startTelemetry({
  serviceName: 'retention-cleanup',
  disabled: config.OTEL_SDK_DISABLED,
  ...(config.OTEL_EXPORTER_OTLP_ENDPOINT ? { otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT } : {}),
});

async function bootstrap(): Promise<void> {
  // Loaded after telemetry on purpose.
  const { NestFactory } = await import('@nestjs/core');
  const { AppModule } = await import('./app.module');
  const app = await NestFactory.create(AppModule.forRoot(config), {
    logger: new JsonNestLogger(),
    bufferLogs: false,
  });
  app.enableShutdownHooks();
  await app.listen(config.PORT, '0.0.0.0');
  createLogger('bootstrap').info('retention-cleanup service listening', { port: config.PORT });
}

void bootstrap();
