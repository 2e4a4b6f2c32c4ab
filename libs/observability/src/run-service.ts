import { configureLogging, createLogger, LogLevel } from './logger';
import { startTelemetry } from './telemetry';

/** The platform config keys {@link runService} reads (platformConfigShape in @divit/config). */
export interface RunServiceConfig {
  LOG_LEVEL: LogLevel;
  OTEL_SDK_DISABLED: boolean;
  OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
}

export interface RunServiceOptions<C extends RunServiceConfig> {
  /** The service name: log field and OpenTelemetry `service.name`. */
  service: string;
  /** The service's config loader; it prints the problems and exits on an invalid environment. */
  loadConfig: () => C;
  /**
   * Loads the service's `start.ts` (`() => import('./start')`): the Nest application, express and everything they pull
   * in are loaded only now, after telemetry has started, so the instrumentations patch http/express before they load.
   */
  start: () => Promise<{ start: (config: C) => Promise<unknown> }>;
}

/**
 * The whole `main.ts` of a service: loads the config, configures logging, starts telemetry first, then imports and
 * runs `start.ts`. A failure to start is logged and ends the process with exit code 1.
 *
 * This lives in @divit/observability, not @divit/service-kit, on purpose: importing service-kit loads NestJS and
 * express, which must happen after {@link startTelemetry}.
 */
export function runService<C extends RunServiceConfig>(options: RunServiceOptions<C>): Promise<void> {
  const config = options.loadConfig();
  configureLogging({ service: options.service, level: config.LOG_LEVEL });
  startTelemetry({
    serviceName: options.service,
    disabled: config.OTEL_SDK_DISABLED,
    ...(config.OTEL_EXPORTER_OTLP_ENDPOINT ? { otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT } : {}),
  });
  return options
    .start()
    .then(({ start }) => start(config))
    .then(
      () => undefined,
      (error: unknown) => {
        createLogger('bootstrap').error('service failed to start', error);
        process.exit(1);
      },
    );
}
