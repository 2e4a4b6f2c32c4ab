import { DynamicModule, Module } from '@nestjs/common';
import { AccessLogModule } from '@divit/access-log';
import { PlatformModule } from '@divit/service-kit';
import { IncomeRetrievalConfig } from './config/income-retrieval.config';
import { incomeRetrievalDataSourceOptions } from './database/data-source';
import { ConformanceModule } from './conformance/conformance.module';
import { HouseholdsModule } from './households/households.module';
import { DEFAULT_NORMS_DIR, loadNormCatalogue } from './norms/norms';
import { StatementsModule } from './statements/statements.module';
import { INCOME_RETRIEVAL_CONFIG, NORM_CATALOGUE } from './tokens';
import { SubjectAccessModule } from './subject-access/subject-access.module';

export { INCOME_RETRIEVAL_CONFIG, NORM_CATALOGUE } from './tokens';

@Module({})
export class AppModule {
  static forRoot(config: IncomeRetrievalConfig): DynamicModule {
    // The shipped norm files, loaded and validated once, at boot: a bad norm file stops the start. The norms in
    // force are these plus those the platform operator publishes at run time (NormsService).
    const norms = loadNormCatalogue(config.NORMS_DIR ?? DEFAULT_NORMS_DIR);
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          service: 'income-retrieval',
          config,
          configToken: INCOME_RETRIEVAL_CONFIG,
          dataSource: incomeRetrievalDataSourceOptions(config),
          accessLog: AccessLogModule.forRoot(),
          globals: [{ provide: NORM_CATALOGUE, useValue: norms }],
        }),
        HouseholdsModule,
        StatementsModule,
        ConformanceModule,
        SubjectAccessModule,
      ],
    };
  }
}
