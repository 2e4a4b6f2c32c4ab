import { DynamicModule, Module } from '@nestjs/common';
import { AccessLogModule } from '@divit/access-log';
import { PlatformModule } from '@divit/service-kit';
import { IDV_SETTINGS, IdvSettings } from './common/settings';
import { ConformanceModule } from './conformance/conformance.module';
import { IdentityValidationConfig } from './config/identity-validation.config';
import { identityValidationDataSourceOptions } from './database/data-source';
import { PlatformEventsModule } from './platform-events/platform-events.module';
import { SharingSessionsModule } from './sharing-sessions/sharing-sessions.module';
import { SubjectAccessModule } from './subject-access/subject-access.module';

export const IDENTITY_VALIDATION_CONFIG = Symbol('IDENTITY_VALIDATION_CONFIG');

@Module({})
export class AppModule {
  static forRoot(config: IdentityValidationConfig): DynamicModule {
    const settings: IdvSettings = {
      sessionTimeoutSeconds: config.SESSION_TIMEOUT_SECONDS,
      identityDataTtlSeconds: config.IDENTITY_DATA_TTL_SECONDS,
      sweepIntervalMs: config.SWEEP_INTERVAL_MS,
      returnUrl: config.RETURN_URL ?? null,
      dvmgSimulatorDeliveryUrl: config.DVMG_SIMULATOR_DELIVERY_URL ?? null,
    };
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          service: 'identity-validation',
          config,
          configToken: IDENTITY_VALIDATION_CONFIG,
          dataSource: identityValidationDataSourceOptions(config),
          accessLog: AccessLogModule.forRoot(),
          globals: [{ provide: IDV_SETTINGS, useValue: settings }],
        }),
        // Throws BsnKeyConfigError for unusable key material (start.ts exits with 78).
        SharingSessionsModule.forRoot(config),
        PlatformEventsModule,
        ConformanceModule,
        SubjectAccessModule,
      ],
    };
  }
}
