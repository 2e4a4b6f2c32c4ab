import { bootstrapService } from '@divit/service-kit';
import { AppModule } from './app.module';
import type { ConsentConfig } from './config/consent.config';

/** Boots the service; main.ts imports this module only after telemetry has started. */
export async function start(config: ConsentConfig): Promise<void> {
  await bootstrapService({ service: 'consent', config, module: AppModule.forRoot(config) });
}
