import { bootstrapService } from '@divit/service-kit';
import { AppModule } from './app.module';
import type { RegistrationConfig } from './config/registration.config';

/** Boots the service; main.ts imports this module only after telemetry has started. */
export async function start(config: RegistrationConfig): Promise<void> {
  await bootstrapService({ service: 'registration', config, module: AppModule.forRoot(config) });
}
