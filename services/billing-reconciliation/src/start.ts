import { bootstrapService } from '@divit/service-kit';
import { AppModule } from './app.module';
import type { BillingConfig } from './config/billing.config';

/** Boots the service; main.ts imports this module only after telemetry has started. */
export async function start(config: BillingConfig): Promise<void> {
  await bootstrapService({ service: 'billing-reconciliation', config, module: AppModule.forRoot(config) });
}
