import { DynamicModule, Module } from '@nestjs/common';
import { AccessLogModule } from '@divit/access-log';
import { PlatformModule } from '@divit/service-kit';
import { BillingConfig } from './config/billing.config';
import { BILLING_CONFIG } from './config/billing.tokens';
import { billingDataSourceOptions } from './database/data-source';
import { BillingModule } from './billing.module';

@Module({})
export class AppModule {
  static forRoot(config: BillingConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          service: 'billing-reconciliation',
          config,
          // The typed config, injectable everywhere as BILLING_CONFIG.
          configToken: BILLING_CONFIG,
          dataSource: billingDataSourceOptions(config),
          accessLog: AccessLogModule.forRoot(),
          uploadRoutes: [
            // One limit, BILLING_INVOICE_FILE_MAX_BYTES, enforced by the HTTP layer for this route (413
            // PAYLOAD_TOO_LARGE, also for a chunked body, without reading the rest); the import's own check is a backstop.
            { method: 'POST', path: '/invoices', limitBytes: config.BILLING_INVOICE_FILE_MAX_BYTES },
          ],
        }),
        BillingModule,
      ],
    };
  }
}
