import { DynamicModule, Module, Provider, Type } from '@nestjs/common';
import { createPrivateKey } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createLogger } from '@divit/observability';
import { MutualTlsJsonClient } from '../common/mtls-client';
import { SimulatorAccess, SimulatorTokenGuard } from '../common/simulator-access';
import { IdentityValidationConfig, readPem, readSettingFile } from '../config/identity-validation.config';
import { dvmgVerificationKey } from './dvmg-dataset';
import { DvmgHttpAdapter } from './dvmg-http.adapter';
import { DvmgPort, DvmgTrustStore } from './dvmg.port';
import { DatabaseSimulatedSessionStore, DvmgSimulator } from './dvmg.simulator';
import { DvmgSimulatorController } from './dvmg-simulator.controller';

/**
 * DvMG (MijnOverheid) behind DvmgPort and the key its datasets are verified with (DvmgTrustStore), chosen by
 * DVMG_MODE: the labelled SIMULATOR (with a warning at boot) or the real mutual-TLS HTTP adapter. The simulator's
 * HTTP endpoints are mounted only when `access` is given (SIMULATOR_ENDPOINTS_ENABLED=true, behind SIMULATOR_TOKEN).
 */
@Module({})
export class DvmgModule {
  static forRoot(config: IdentityValidationConfig, access: SimulatorAccess | undefined): DynamicModule {
    const providers: Provider[] = [];
    const controllers: Type[] = [];
    const exports: NonNullable<DynamicModule['exports']> = [DvmgPort, DvmgTrustStore];
    const configuredKey = readPem(config.DVMG_PUBLIC_KEY, config.DVMG_PUBLIC_KEY_FILE, 'DVMG_PUBLIC_KEY');

    if (config.DVMG_MODE === 'simulator') {
      const simulatorKey = config.DVMG_SIMULATOR_PRIVATE_KEY_FILE
        ? createPrivateKey(
            readSettingFile(config.DVMG_SIMULATOR_PRIVATE_KEY_FILE, 'DVMG_SIMULATOR_PRIVATE_KEY_FILE'),
          )
        : undefined;
      const baseUrl = config.DVMG_SIMULATOR_BASE_URL ?? `http://127.0.0.1:${config.PORT}`;
      createLogger('GovernmentAdapters').warn(
        'DvMG SIMULATOR in use (DVMG_MODE=simulator): MijnOverheid is simulated; NOT for production',
        {
          verificationKey: configuredKey ? 'DVMG_PUBLIC_KEY' : 'the simulator’s own generated public key',
          endpoints: access ? 'mounted, behind SIMULATOR_TOKEN' : 'not mounted',
        },
      );
      providers.push(
        {
          provide: DvmgSimulator,
          inject: [DataSource],
          // The simulated MijnOverheid keeps its sessions in this service's database, as the real one keeps
          // them on its side: a restart of this service loses none (table simulator_dvmg_sessions).
          useFactory: (dataSource: DataSource) =>
            new DvmgSimulator(
              baseUrl,
              simulatorKey,
              new DatabaseSimulatedSessionStore(dataSource),
              access ? (sessionId) => access.redirectQuery(sessionId) : undefined,
            ),
        },
        { provide: DvmgPort, useExisting: DvmgSimulator },
        // Local development: the simulator hands its public key to the verifier unless a key is configured.
        {
          provide: DvmgTrustStore,
          inject: [DvmgSimulator],
          useFactory: (simulator: DvmgSimulator) =>
            new DvmgTrustStore(configuredKey ? dvmgVerificationKey(configuredKey) : simulator.publicKey),
        },
      );
      exports.push(DvmgSimulator);
      if (access) {
        providers.push({ provide: SimulatorAccess, useValue: access }, SimulatorTokenGuard);
        controllers.push(DvmgSimulatorController);
      }
    } else {
      const client = new MutualTlsJsonClient({
        baseUrl: config.DVMG_BASE_URL!,
        cert: readSettingFile(config.DVMG_TLS_CERT_FILE!, 'DVMG_TLS_CERT_FILE'),
        key: readSettingFile(config.DVMG_TLS_KEY_FILE!, 'DVMG_TLS_KEY_FILE'),
        ca: readSettingFile(config.DVMG_TLS_CA_FILE!, 'DVMG_TLS_CA_FILE'),
        timeoutMs: 10_000,
      });
      providers.push(
        { provide: DvmgPort, useValue: new DvmgHttpAdapter(client) },
        { provide: DvmgTrustStore, useValue: new DvmgTrustStore(dvmgVerificationKey(configuredKey!)) },
      );
    }
    return { module: DvmgModule, controllers, providers, exports };
  }
}
