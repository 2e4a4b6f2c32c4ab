import { DynamicModule, INestApplication } from '@nestjs/common';
import { createLogger, JsonNestLogger } from '@divit/observability';
import { HTTP_APP_SETTINGS } from './health/platform-http.module';
import { configureHttpApp, HTTP_APP_OPTIONS, HttpAppSettings } from './http/http-app';

export interface BootstrapOptions {
  /** The service name, for the log. */
  service: string;
  /** The service's root module; it must import PlatformHttpModule. */
  module: DynamicModule;
  /** Where to listen: the platform config's PORT and HTTP_HOST. */
  config: { PORT: number; HTTP_HOST: string };
  /** Extra, non-secret fields for the "listening" log line (e.g. which adapters are simulators). */
  logFields?: Record<string, unknown>;
}

/**
 * Starts a service: creates the Nest app, installs the platform HTTP stack (configureHttpApp), enables
 * shutdown hooks and listens. Call it from `main.ts` after telemetry has started (import it dynamically
 * there, so http and express are loaded after the instrumentations).
 *
 * Listening does not wait for Kafka: `listen` runs the modules' `onApplicationBootstrap`, where consumers
 * are started through MessagingRuntime, which returns before the group join; /health/live answers at once
 * and /health/ready answers 503 until every consumer has joined.
 */
export async function bootstrapService(options: BootstrapOptions): Promise<INestApplication> {
  const { NestFactory } = await import('@nestjs/core');
  const app = await NestFactory.create(options.module, {
    logger: new JsonNestLogger(),
    bufferLogs: false,
    ...HTTP_APP_OPTIONS,
  });
  configureHttpApp(app, app.get<HttpAppSettings>(HTTP_APP_SETTINGS, { strict: false }));
  app.enableShutdownHooks();
  await app.listen(options.config.PORT, options.config.HTTP_HOST);
  createLogger('bootstrap').info(`${options.service} service listening`, {
    host: options.config.HTTP_HOST,
    port: options.config.PORT,
    ...(options.logFields ?? {}),
  });
  return app;
}
