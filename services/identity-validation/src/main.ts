// Telemetry first, so instrumentations patch http/express before they are loaded.
import { configureLogging, JsonNestLogger, startTelemetry, createLogger } from '@divit/observability';
import { loadIdentityValidationConfigOrExit } from './config/identity-validation.config';

const config = loadIdentityValidationConfigOrExit();
configureLogging({ service: 'identity-validation', level: config.LOG_LEVEL });
startTelemetry({
  serviceName: 'identity-validation',
  disabled: config.OTEL_SDK_DISABLED,
  ...(config.OTEL_EXPORTER_OTLP_ENDPOINT ? { otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT } : {}),
});

async function bootstrap(): Promise<void> {
  // Loaded after telemetry on purpose.
  const { NestFactory } = await import('@nestjs/core');
  const { AppModule } = await import('./app.module');
  const { BsnKeyConfigError } = await import('./config/identity-validation.config');
  let module;
  try {
    module = AppModule.forRoot(config);
  } catch (error) {
    // Key material problems name the setting and key id, never a secret.
    if (error instanceof BsnKeyConfigError) {
      process.stderr.write(`Invalid configuration: ${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  const app = await NestFactory.create(module, { logger: new JsonNestLogger(), bufferLogs: false });
  app.enableShutdownHooks();
  await app.listen(config.PORT, '0.0.0.0');
  createLogger('bootstrap').info('identity-validation service listening', {
    port: config.PORT,
    dvmg: config.DVMG_MODE === 'simulator' ? 'SIMULATOR' : 'real',
    bvbsn: config.BVBSN_MODE === 'simulator' ? 'SIMULATOR' : 'real',
  });
}

void bootstrap();
