import { Controller, Delete, Get, HttpCode, Put } from '@nestjs/common';
import { z } from 'zod';
import {
  ApiProblems,
  ApiResult,
  assertActsFor,
  CurrentPrincipal,
  Roles,
  ZodBody,
  ZodParams,
} from '@divit/service-kit';
import type { Principal } from '@divit/service-kit';
import { ErasuresService } from '../erasures/erasures.service';
import {
  AdoptionDto,
  AdoptionParams,
  adoptionParams,
  adoptionSchema,
  AdoptionView,
  adoptionView,
  AgreementView,
  agreementView,
} from './dto/policy.dto';
import { PoliciesService } from './policies.service';

/**
 * Agreement policy sets (docs/adr/0036): the shipped agreements (read by everyone here), and which one an
 * organisation takes part in: adopted and left by the organisation's own admin or the platform operator; another
 * organisation's refused (403 OUTSIDE_ORGANISATION), like the policy overrides (docs/adr/0014).
 */
@Controller('agreements')
export class AgreementsController {
  constructor(
    private readonly policies: PoliciesService,
    private readonly erasures: ErasuresService,
  ) {}

  /** The shipped agreements: each policy with its policy id, period(s) and source, and the rows not held here. */
  @Get()
  @Roles('admin', 'auditor', 'platform-operator')
  @ApiResult(z.array(agreementView))
  list(): AgreementView[] {
    return this.policies.agreements();
  }

  /**
   * The organisation adopts an agreement (replacing any earlier one): the agreement's policies are in force for it
   * (its overrides still win); waiting erasures get their new due time (count in `rescheduled`).
   */
  @Put('organisations/:organisationId')
  @HttpCode(200)
  @Roles('admin', 'platform-operator')
  @ApiResult(adoptionView, { description: 'The agreement adopted and the policies now in force.' })
  @ApiProblems('OUTSIDE_ORGANISATION', 'AGREEMENT_NOT_FOUND')
  adopt(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(adoptionParams) params: AdoptionParams,
    @ZodBody(adoptionSchema) body: AdoptionDto,
  ): Promise<AdoptionView> {
    assertActsFor(principal, params.organisationId);
    return this.policies.adopt(principal, params.organisationId, body, (tx, p) =>
      this.erasures.reschedule(tx, p),
    );
  }

  /** The organisation leaves its agreement: the defaults (and its overrides) are in force again. */
  @Delete('organisations/:organisationId')
  @HttpCode(200)
  @Roles('admin', 'platform-operator')
  @ApiResult(adoptionView, { description: 'No agreement, and the policies now in force.' })
  @ApiProblems('OUTSIDE_ORGANISATION', 'AGREEMENT_NOT_ADOPTED')
  leave(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(adoptionParams) params: AdoptionParams,
  ): Promise<AdoptionView> {
    assertActsFor(principal, params.organisationId);
    return this.policies.leave(principal, params.organisationId, (tx, p) => this.erasures.reschedule(tx, p));
  }
}
