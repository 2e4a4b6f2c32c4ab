import { DynamicModule, Module } from '@nestjs/common';
import { BsnHasher } from '../bsn/bsn-hasher';
import { BvBsnModule } from '../bvbsn/bvbsn.module';
import { SimulatorAccess } from '../common/simulator-access';
import { bsnHashKeys, IdentityValidationConfig } from '../config/identity-validation.config';
import { DvmgModule } from '../dvmg/dvmg.module';
import { SessionOutcomesModule } from './session-outcomes.module';
import { SessionSweeper } from './session-sweeper';
import { DvmgDeliveriesController, SharingSessionsController } from './sharing-sessions.controller';
import { AllocationHashMatch } from './allocation-hash-match.use-case';
import { BvBsnCheck } from './bv-bsn-check.use-case';
import { ConfirmIdentity } from './confirm-identity.use-case';
import { ExpireSessions } from './expire-sessions.use-case';
import { GetSession } from './get-session.use-case';
import { ReceiveDelivery } from './receive-delivery.use-case';
import { StartSession } from './start-session.use-case';

/**
 * DvMG sharing sessions: start, callback, signed deliveries, the BV BSN check, the keyed BSN hash and the sweeper of
 * expired sessions, with the government adapters (DvmgModule, BvBsnModule) chosen by configuration.
 * `forRoot` throws BsnKeyConfigError for unusable key material (start.ts exits with 78).
 */
@Module({})
export class SharingSessionsModule {
  static forRoot(config: IdentityValidationConfig): DynamicModule {
    const { keys, activeKeyId } = bsnHashKeys(config);
    // The simulators' HTTP endpoints: only with SIMULATOR_ENDPOINTS_ENABLED=true and a SIMULATOR_TOKEN.
    const endpoints = config.SIMULATOR_ENDPOINTS_ENABLED && config.SIMULATOR_TOKEN !== undefined;
    const access = endpoints ? new SimulatorAccess(config.SIMULATOR_TOKEN!) : undefined;
    return {
      module: SharingSessionsModule,
      imports: [
        SessionOutcomesModule,
        DvmgModule.forRoot(config, access),
        BvBsnModule.forRoot(config, access),
      ],
      controllers: [SharingSessionsController, DvmgDeliveriesController],
      providers: [
        { provide: BsnHasher, useValue: new BsnHasher(keys, activeKeyId) },
        StartSession,
        GetSession,
        ConfirmIdentity,
        ReceiveDelivery,
        BvBsnCheck,
        AllocationHashMatch,
        ExpireSessions,
        SessionSweeper,
      ],
    };
  }
}
