import { bootstrapService } from '@divit/service-kit';
import { AppModule } from './app.module';
import type { RetentionCleanupConfig } from './config/retention-cleanup.config';

/** Boots the service; main.ts imports this module only after telemetry has started. */
export async function start(config: RetentionCleanupConfig): Promise<void> {
  await bootstrapService({ service: 'retention-cleanup', config, module: AppModule.forRoot(config) });
}
