import { bootstrapService } from '@divit/service-kit';
import { AppModule } from './app.module';
import type { IncomeRetrievalConfig } from './config/income-retrieval.config';
import { NormsInvalidError } from './norms/norms';

/** Boots the service; main.ts imports this module only after telemetry has started. */
export async function start(config: IncomeRetrievalConfig): Promise<void> {
  let module;
  try {
    module = AppModule.forRoot(config);
  } catch (error) {
    if (error instanceof NormsInvalidError) {
      process.stderr.write(`income norms invalid: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  await bootstrapService({ service: 'income-retrieval', config, module });
}
