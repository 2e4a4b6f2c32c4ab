import { DynamicModule, Module, Provider, Type } from '@nestjs/common';
import { createLogger } from '@divit/observability';
import { MutualTlsJsonClient } from '../common/mtls-client';
import { SimulatorAccess, SimulatorTokenGuard } from '../common/simulator-access';
import { IdentityValidationConfig, readSettingFile } from '../config/identity-validation.config';
import { BvBsnHttpAdapter } from './bvbsn-http.adapter';
import { BvBsnPort } from './bvbsn.port';
import { BvBsnSimulator } from './bvbsn.simulator';
import { BvBsnSimulatorController } from './bvbsn-simulator.controller';

/**
 * BV BSN behind BvBsnPort, chosen by BVBSN_MODE: the labelled SIMULATOR with fictional test persons (with a warning
 * at boot) or the real mutual-TLS HTTP adapter. The simulator's HTTP endpoints are mounted only when `access` is
 * given (SIMULATOR_ENDPOINTS_ENABLED=true, behind SIMULATOR_TOKEN).
 */
@Module({})
export class BvBsnModule {
  static forRoot(config: IdentityValidationConfig, access: SimulatorAccess | undefined): DynamicModule {
    const providers: Provider[] = [];
    const controllers: Type[] = [];
    const exports: NonNullable<DynamicModule['exports']> = [BvBsnPort];
    if (config.BVBSN_MODE === 'simulator') {
      const simulator = new BvBsnSimulator({
        latencyMs: config.BVBSN_SIMULATOR_LATENCY_MS,
        errorRate: config.BVBSN_SIMULATOR_ERROR_RATE,
        failNextCalls: 0,
      });
      createLogger('GovernmentAdapters').warn(
        'BV BSN SIMULATOR in use (BVBSN_MODE=simulator): BV BSN is simulated with fictional test persons; NOT for production',
      );
      providers.push(
        { provide: BvBsnSimulator, useValue: simulator },
        { provide: BvBsnPort, useValue: simulator },
      );
      exports.push(BvBsnSimulator);
      if (access) {
        providers.push({ provide: SimulatorAccess, useValue: access }, SimulatorTokenGuard);
        controllers.push(BvBsnSimulatorController);
      }
    } else {
      const client = new MutualTlsJsonClient({
        baseUrl: config.BVBSN_BASE_URL!,
        cert: readSettingFile(config.BVBSN_TLS_CERT_FILE!, 'BVBSN_TLS_CERT_FILE'),
        key: readSettingFile(config.BVBSN_TLS_KEY_FILE!, 'BVBSN_TLS_KEY_FILE'),
        ca: readSettingFile(config.BVBSN_TLS_CA_FILE!, 'BVBSN_TLS_CA_FILE'),
        timeoutMs: config.BVBSN_TIMEOUT_MS,
      });
      providers.push({ provide: BvBsnPort, useValue: new BvBsnHttpAdapter(client) });
    }
    return { module: BvBsnModule, controllers, providers, exports };
  }
}
