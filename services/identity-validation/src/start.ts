import { bootstrapService } from '@divit/service-kit';
import { AppModule } from './app.module';
import { BsnKeyConfigError, type IdentityValidationConfig } from './config/identity-validation.config';

/** Boots the service; main.ts imports this module only after telemetry has started. */
export async function start(config: IdentityValidationConfig): Promise<void> {
  let module;
  try {
    module = AppModule.forRoot(config);
  } catch (error) {
    // Key material problems name the setting and key id, never a secret.
    if (error instanceof BsnKeyConfigError) {
      process.stderr.write(`Invalid configuration: ${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  await bootstrapService({
    service: 'identity-validation',
    config,
    module,
    logFields: {
      dvmg: config.DVMG_MODE === 'simulator' ? 'SIMULATOR' : 'real',
      bvbsn: config.BVBSN_MODE === 'simulator' ? 'SIMULATOR' : 'real',
    },
  });
}
