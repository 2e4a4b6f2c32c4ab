import { Module } from '@nestjs/common';
import { PoliciesRepository } from './policies.repository';
import { PoliciesService } from './policies.service';

/**
 * The retention policies in force (shipped defaults and organisations' overrides). Their HTTP API lives in
 * PoliciesApiModule, because changing a policy reschedules erasures (ErasuresModule, which needs this module).
 */
@Module({ providers: [PoliciesRepository, PoliciesService], exports: [PoliciesService] })
export class PoliciesModule {}
