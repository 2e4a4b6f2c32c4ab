import { DynamicModule, Global, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { AUTH_OUTCOME_SINK } from '@divit/service-kit';
import { AccessLogController } from './access-log.controller';
import { AccessLogService } from './access-log.service';
import { requestOriginMiddleware } from './request-origin';

export interface AccessLogModuleOptions {
  /** Serve `GET /access-log` (default true). */
  controller?: boolean;
}

/**
 * The access log of a service: `AccessLogService` for every feature module, the auth guard's outcome sink
 * (`AUTH_OUTCOME_SINK`), the request-origin middleware and `GET /access-log`. Import once in the AppModule
 * (global); add `accessLogEntities`/`accessLogMigrations` to the service's data source.
 */
@Global()
@Module({})
export class AccessLogModule implements NestModule {
  static forRoot(options: AccessLogModuleOptions = {}): DynamicModule {
    return {
      module: AccessLogModule,
      controllers: options.controller === false ? [] : [AccessLogController],
      providers: [AccessLogService, { provide: AUTH_OUTCOME_SINK, useExisting: AccessLogService }],
      exports: [AccessLogService, AUTH_OUTCOME_SINK],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(requestOriginMiddleware).forRoutes('*');
  }
}
