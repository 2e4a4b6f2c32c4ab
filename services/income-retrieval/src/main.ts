// Telemetry first, so instrumentations patch http/express before they are loaded.
import { configureLogging, createLogger, startTelemetry } from '@divit/observability';
import { loadIncomeRetrievalConfigOrExit } from './config/income-retrieval.config';

const config = loadIncomeRetrievalConfigOrExit();
configureLogging({ service: 'income-retrieval', level: config.LOG_LEVEL });
startTelemetry({
  serviceName: 'income-retrieval',
  disabled: config.OTEL_SDK_DISABLED,
  ...(config.OTEL_EXPORTER_OTLP_ENDPOINT ? { otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT } : {}),
});

async function main(): Promise<void> {
  // Loaded after telemetry on purpose.
  const { bootstrapService } = await import('@divit/service-kit');
  const { AppModule } = await import('./app.module');
  const { NormsInvalidError } = await import('./norms/norms');
  let module;
  try {
    module = AppModule.forRoot(config);
  } catch (error) {
    if (error instanceof NormsInvalidError) {
      process.stderr.write(`income norms invalid: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  await bootstrapService({ service: 'income-retrieval', config, module });
}

main().catch((error: unknown) => {
  createLogger('bootstrap').error('service failed to start', error);
  process.exit(1);
});
