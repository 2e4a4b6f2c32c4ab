import { DynamicModule, Module } from '@nestjs/common';
import { AccessLogModule } from '@divit/access-log';
import { PlatformModule } from '@divit/service-kit';
import { ConsentConfig } from './config/consent.config';
import { consentDataSourceOptions } from './database/data-source';
import { ConsentModule } from './consent.module';

@Module({})
export class AppModule {
  static forRoot(config: ConsentConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          service: 'consent',
          config,
          dataSource: consentDataSourceOptions(config),
          accessLog: AccessLogModule.forRoot(),
        }),
        ConsentModule.forRoot(config),
      ],
    };
  }
}
