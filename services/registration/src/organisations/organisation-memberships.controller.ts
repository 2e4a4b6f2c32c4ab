import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import {
  ApiProblems,
  ApiResult,
  assertActsFor,
  CurrentPrincipal,
  PLATFORM_USER_ROLES,
  Roles,
  ZodBody,
  ZodParams,
  ZodQuery,
} from '@divit/service-kit';
import type { Principal } from '@divit/service-kit';
import { organisationIdParam } from './dto/register-organisation.dto';
import {
  AtQuery,
  atQuerySchema,
  EndMembershipDto,
  endMembershipSchema,
  HousingStockDto,
  housingStockSchema,
  membershipParams,
  StartMembershipDto,
  startMembershipSchema,
} from './dto/organisation-changes.dto';
import {
  HousingStockAtView,
  housingStockAtViewSchema,
  HousingStockHistoryView,
  housingStockHistoryViewSchema,
  HousingStockRecordView,
  housingStockRecordViewSchema,
  MembershipsView,
  membershipsViewSchema,
  MembershipView,
  membershipViewSchema,
} from './dto/organisation-views.dto';
import { OrganisationMembershipsService } from './organisation-memberships.service';

/**
 * Members of a route B/C organisation over time and their housing stock (docs/adr/0014):
 * - starting a membership: the platform operator only (an allocator cannot enrol another tenant's corporation,
 *   which would give it sight of that corporation's registrations and allocations);
 * - ending a membership and recording housing stock: the platform operator or the organisation's own admin;
 * - reads: the platform operator, the organisation itself or one it coordinates, and its member corporations;
 *   anyone else gets 404 as for an unknown organisation.
 */
@Controller('organisations/:id')
export class OrganisationMembershipsController {
  constructor(private readonly memberships: OrganisationMembershipsService) {}

  @Post('memberships')
  @HttpCode(201)
  @Roles('platform-operator')
  @ApiResult(membershipViewSchema, { status: 201, description: 'The membership as recorded.' })
  @ApiProblems(
    'ORGANISATION_NOT_FOUND',
    'MEMBERSHIP_OVERLAPS',
    'MEMBER_NOT_A_CORPORATION',
    'MEMBER_UNKNOWN',
    'NOT_A_COORDINATING_ORGANISATION',
  )
  start(
    @ZodParams(organisationIdParam) params: { id: string },
    @ZodBody(startMembershipSchema) body: StartMembershipDto,
  ): Promise<MembershipView> {
    return this.memberships.start(params.id, body);
  }

  /** Memberships in force on `at` (default today). */
  @Get('memberships')
  @Roles(...PLATFORM_USER_ROLES)
  @ApiResult(membershipsViewSchema)
  @ApiProblems('ORGANISATION_NOT_FOUND')
  async membershipsOn(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(organisationIdParam) params: { id: string },
    @ZodQuery(atQuerySchema) query: AtQuery,
  ): Promise<MembershipsView> {
    await this.memberships.assertReadable(principal, params.id);
    return this.memberships.membershipsOn(params.id, query.at);
  }

  /** Every membership period, past, present and future. */
  @Get('memberships/history')
  @Roles(...PLATFORM_USER_ROLES)
  @ApiResult(membershipsViewSchema, { description: 'Every membership period (`at` is null).' })
  @ApiProblems('ORGANISATION_NOT_FOUND')
  async membershipHistory(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(organisationIdParam) params: { id: string },
  ): Promise<MembershipsView> {
    await this.memberships.assertReadable(principal, params.id);
    return this.memberships.membershipHistory(params.id);
  }

  @Post('memberships/:membershipId/end')
  @HttpCode(200)
  @Roles('platform-operator', 'admin')
  @ApiResult(membershipViewSchema, { description: 'The membership with its last day.' })
  @ApiProblems(
    'OUTSIDE_ORGANISATION',
    'ORGANISATION_NOT_FOUND',
    'MEMBERSHIP_NOT_FOUND',
    'MEMBERSHIP_ALREADY_ENDED',
    'MEMBER_IS_PRIMUS_INTER_PARES',
    'MEMBERSHIP_END_BEFORE_START',
  )
  end(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(membershipParams) params: { id: string; membershipId: string },
    @ZodBody(endMembershipSchema) body: EndMembershipDto,
  ): Promise<MembershipView> {
    assertActsFor(principal, params.id);
    return this.memberships.end(params.id, params.membershipId, body);
  }

  @Post('housing-stock')
  @HttpCode(201)
  @Roles('platform-operator', 'admin')
  @ApiResult(housingStockRecordViewSchema, { status: 201, description: 'The figure as recorded.' })
  @ApiProblems('OUTSIDE_ORGANISATION', 'ORGANISATION_NOT_FOUND', 'NOT_A_MEMBER_AT_DATE')
  recordHousingStock(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(organisationIdParam) params: { id: string },
    @ZodBody(housingStockSchema) body: HousingStockDto,
  ): Promise<HousingStockRecordView> {
    assertActsFor(principal, params.id);
    return this.memberships.recordHousingStock(params.id, body);
  }

  /** Each member's housing stock in force on `at` (default today), with the total. */
  @Get('housing-stock')
  @Roles(...PLATFORM_USER_ROLES)
  @ApiResult(housingStockAtViewSchema)
  @ApiProblems('ORGANISATION_NOT_FOUND')
  async housingStockOn(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(organisationIdParam) params: { id: string },
    @ZodQuery(atQuerySchema) query: AtQuery,
  ): Promise<HousingStockAtView> {
    await this.memberships.assertReadable(principal, params.id);
    return this.memberships.housingStockOn(params.id, query.at);
  }

  /** Every recorded figure. */
  @Get('housing-stock/history')
  @Roles(...PLATFORM_USER_ROLES)
  @ApiResult(housingStockHistoryViewSchema)
  @ApiProblems('ORGANISATION_NOT_FOUND')
  async housingStockHistory(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(organisationIdParam) params: { id: string },
  ): Promise<HousingStockHistoryView> {
    await this.memberships.assertReadable(principal, params.id);
    return this.memberships.housingStockHistory(params.id);
  }
}
