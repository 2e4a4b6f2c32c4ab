import { DynamicModule, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HttpAppSettings, httpSettingsFrom, HttpConfigKeys, UploadRoute } from '../http/http-app';
import { MessagingRuntime } from '../messaging-runtime';
import { HealthController, READINESS_CHECK } from './health.controller';
import { MetricsController } from './metrics.controller';
import { ReadinessCheck, ReadinessSettings } from './readiness';

/** The settings configureHttpApp is given (provided by PlatformHttpModule, read by bootstrap and tests). */
export const HTTP_APP_SETTINGS = Symbol('HTTP_APP_SETTINGS');

export interface PlatformHttpOptions {
  http: HttpAppSettings;
  readiness: ReadinessSettings;
}

/**
 * The HTTP platform part of a service: the health endpoints (/health/live, /health/ready), GET /metrics and the
 * settings of the shared HTTP stack, which {@link bootstrapService} and the test harness apply with
 * configureHttpApp. Needs TypeORM's DataSource; uses the MessagingRuntime when the service has one.
 */
@Module({})
export class PlatformHttpModule {
  static forRoot(options: PlatformHttpOptions): DynamicModule {
    return {
      module: PlatformHttpModule,
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: HTTP_APP_SETTINGS, useValue: options.http },
        {
          provide: READINESS_CHECK,
          inject: [DataSource, { token: MessagingRuntime, optional: true }],
          useFactory: (dataSource: DataSource, messaging: MessagingRuntime | undefined) =>
            new ReadinessCheck(dataSource, messaging, options.readiness),
        },
      ],
      exports: [HTTP_APP_SETTINGS, READINESS_CHECK],
    };
  }
}

/** The platform config keys PlatformHttpModule reads (platformConfigShape in @divit/config). */
export interface PlatformHttpConfig extends HttpConfigKeys {
  HEALTH_DB_TIMEOUT_MS: number;
}

/** PlatformHttpModule options from a service's config (platform keys) and its upload routes, if any. */
export function platformHttpOptions(
  config: PlatformHttpConfig,
  uploadRoutes: readonly UploadRoute[] = [],
): PlatformHttpOptions {
  return {
    http: httpSettingsFrom(config, uploadRoutes),
    readiness: { databaseTimeoutMs: config.HEALTH_DB_TIMEOUT_MS },
  };
}
