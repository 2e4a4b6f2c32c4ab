import { Controller, Delete, Get, HttpCode, Put } from '@nestjs/common';
import { z } from 'zod';
import {
  ApiProblems,
  ApiResult,
  assertActsFor,
  CurrentPrincipal,
  isPlatformOperator,
  Roles,
  TenancyError,
  ZodBody,
  ZodParams,
  ZodQuery,
} from '@divit/service-kit';
import type { Principal } from '@divit/service-kit';
import { ErasuresService } from '../erasures/erasures.service';
import {
  OverrideDto,
  OverrideParams,
  overrideParams,
  overrideSchema,
  policiesQuery,
  PolicyChangeView,
  policyChangeView,
  PolicyView,
  policyView,
} from './dto/policy.dto';
import { PoliciesService } from './policies.service';
import { ReaderScope } from '../tenancy/reader-scope';

/**
 * Retention policies per data category: shipped defaults with sources (platform-wide, read by everyone here), and
 * per-organisation overrides: set and removed by the organisation's own admin or the platform operator; another
 * organisation's are refused (403 OUTSIDE_ORGANISATION). See docs/adr/0014.
 */
@Controller('policies')
export class PoliciesController {
  constructor(
    private readonly policies: PoliciesService,
    private readonly erasures: ErasuresService,
    private readonly readers: ReaderScope,
  ) {}

  /**
   * The default policies, or those in force for one organisation: the caller's own, or one it coordinates on route
   * B/C or a current member of one (reading only; docs/adr/0018), or any for the platform operator.
   */
  @Get()
  @Roles('admin', 'auditor', 'platform-operator')
  @ApiResult(z.array(policyView))
  @ApiProblems('OUTSIDE_ORGANISATION')
  async list(
    @CurrentPrincipal() principal: Principal,
    @ZodQuery(policiesQuery) query: { organisationId?: string },
  ): Promise<PolicyView[]> {
    if (query.organisationId && !(await this.readers.mayRead(principal, query.organisationId)))
      throw new TenancyError(
        'OUTSIDE_ORGANISATION',
        'This organisation is neither yours nor one you coordinate today.',
      );
    return this.policies.list(
      query.organisationId ?? (isPlatformOperator(principal) ? undefined : principal.organisationId),
    );
  }

  /**
   * Sets an organisation's retention for a category (within the legal minimum and maximum); waiting erasures
   * of that organisation and category get the new due time (count in `rescheduled`).
   */
  @Put(':category/organisations/:organisationId')
  @HttpCode(200)
  @Roles('admin', 'platform-operator')
  @ApiResult(policyChangeView, { description: 'The policy now in force, and the erasures rescheduled.' })
  @ApiProblems('OUTSIDE_ORGANISATION', 'RETENTION_OUT_OF_BOUNDS')
  override(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(overrideParams) params: OverrideParams,
    @ZodBody(overrideSchema) body: OverrideDto,
  ): Promise<PolicyChangeView> {
    assertActsFor(principal, params.organisationId);
    return this.policies.override(principal, params.organisationId, params.category, body, (tx, p) =>
      this.erasures.reschedule(tx, p),
    );
  }

  /** Removes an organisation's override: the default applies again. */
  @Delete(':category/organisations/:organisationId')
  @HttpCode(200)
  @Roles('admin', 'platform-operator')
  @ApiResult(policyChangeView, { description: 'The default policy again, and the erasures rescheduled.' })
  @ApiProblems('OUTSIDE_ORGANISATION', 'POLICY_OVERRIDE_NOT_FOUND')
  remove(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(overrideParams) params: OverrideParams,
  ): Promise<PolicyChangeView> {
    assertActsFor(principal, params.organisationId);
    return this.policies.removeOverride(principal, params.organisationId, params.category, (tx, p) =>
      this.erasures.reschedule(tx, p),
    );
  }
}
