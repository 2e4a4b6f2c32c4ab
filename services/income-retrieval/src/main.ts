// Telemetry first, so instrumentations patch http/express before they are loaded.
import { configureLogging, JsonNestLogger, startTelemetry, createLogger } from '@divit/observability';
import { loadIncomeRetrievalConfigOrExit } from './config/income-retrieval.config';

const config = loadIncomeRetrievalConfigOrExit();
configureLogging({ service: 'income-retrieval', level: config.LOG_LEVEL });
startTelemetry({
  serviceName: 'income-retrieval',
  disabled: config.OTEL_SDK_DISABLED,
  ...(config.OTEL_EXPORTER_OTLP_ENDPOINT ? { otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT } : {}),
});

async function bootstrap(): Promise<void> {
  // Loaded after telemetry on purpose.
  const { NestFactory } = await import('@nestjs/core');
  const { AppModule } = await import('./app.module');
  const { NormsInvalidError } = await import('./norms/norms');
  let root;
  try {
    root = AppModule.forRoot(config);
  } catch (error) {
    if (error instanceof NormsInvalidError) {
      process.stderr.write(`income norms invalid: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const app = await NestFactory.create(root, { logger: new JsonNestLogger(), bufferLogs: false });
  app.enableShutdownHooks();
  await app.listen(config.PORT, '0.0.0.0');
  createLogger('bootstrap').info('income-retrieval service listening', { port: config.PORT });
}

void bootstrap();
