// Telemetry first, so instrumentations patch http/express before they are loaded.
import { configureLogging, createLogger, startTelemetry } from '@divit/observability';
import { loadIdentityValidationConfigOrExit } from './config/identity-validation.config';

const config = loadIdentityValidationConfigOrExit();
configureLogging({ service: 'identity-validation', level: config.LOG_LEVEL });
startTelemetry({
  serviceName: 'identity-validation',
  disabled: config.OTEL_SDK_DISABLED,
  ...(config.OTEL_EXPORTER_OTLP_ENDPOINT ? { otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT } : {}),
});

async function main(): Promise<void> {
  // Loaded after telemetry on purpose.
  const { bootstrapService } = await import('@divit/service-kit');
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
  await bootstrapService({
    service: 'identity-validation',
    config,
    module,
    logFields: {
      dvmg: config.DVMG_MODE === 'simulator' ? 'SIMULATOR' : 'real',
      bvbsn: config.BVBSN_MODE === 'simulator' ? 'SIMULATOR' : 'real',
    },
  });
}

main().catch((error: unknown) => {
  createLogger('bootstrap').error('service failed to start', error);
  process.exit(1);
});
