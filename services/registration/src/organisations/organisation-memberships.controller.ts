import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { assertActsFor, CurrentPrincipal, ROLES, Roles, ZodValidationPipe } from '@divit/service-kit';
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
  HousingStockRecordView,
  MembershipsView,
  MembershipView,
  OrganisationMembershipsService,
} from './organisation-memberships.service';
import { HousingStockHistoryView } from './dto/organisation-views.dto';

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
  start(
    @Param(new ZodValidationPipe(organisationIdParam)) params: { id: string },
    @Body(new ZodValidationPipe(startMembershipSchema)) body: StartMembershipDto,
  ): Promise<MembershipView> {
    return this.memberships.start(params.id, body);
  }

  /** Memberships in force on `at` (default today). */
  @Get('memberships')
  @Roles(...ROLES)
  async membershipsOn(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodValidationPipe(organisationIdParam)) params: { id: string },
    @Query(new ZodValidationPipe(atQuerySchema)) query: AtQuery,
  ): Promise<MembershipsView> {
    await this.memberships.assertReadable(principal, params.id);
    return this.memberships.membershipsOn(params.id, query.at);
  }

  /** Every membership period, past, present and future. */
  @Get('memberships/history')
  @Roles(...ROLES)
  async membershipHistory(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodValidationPipe(organisationIdParam)) params: { id: string },
  ): Promise<MembershipsView> {
    await this.memberships.assertReadable(principal, params.id);
    return this.memberships.membershipHistory(params.id);
  }

  @Post('memberships/:membershipId/end')
  @HttpCode(200)
  @Roles('platform-operator', 'admin')
  end(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodValidationPipe(membershipParams)) params: { id: string; membershipId: string },
    @Body(new ZodValidationPipe(endMembershipSchema)) body: EndMembershipDto,
  ): Promise<MembershipView> {
    assertActsFor(principal, params.id);
    return this.memberships.end(params.id, params.membershipId, body);
  }

  @Post('housing-stock')
  @HttpCode(201)
  @Roles('platform-operator', 'admin')
  recordHousingStock(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodValidationPipe(organisationIdParam)) params: { id: string },
    @Body(new ZodValidationPipe(housingStockSchema)) body: HousingStockDto,
  ): Promise<HousingStockRecordView> {
    assertActsFor(principal, params.id);
    return this.memberships.recordHousingStock(params.id, body);
  }

  /** Each member's housing stock in force on `at` (default today), with the total. */
  @Get('housing-stock')
  @Roles(...ROLES)
  async housingStockOn(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodValidationPipe(organisationIdParam)) params: { id: string },
    @Query(new ZodValidationPipe(atQuerySchema)) query: AtQuery,
  ): Promise<HousingStockAtView> {
    await this.memberships.assertReadable(principal, params.id);
    return this.memberships.housingStockOn(params.id, query.at);
  }

  /** Every recorded figure. */
  @Get('housing-stock/history')
  @Roles(...ROLES)
  async housingStockHistory(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodValidationPipe(organisationIdParam)) params: { id: string },
  ): Promise<HousingStockHistoryView> {
    await this.memberships.assertReadable(principal, params.id);
    return this.memberships.housingStockHistory(params.id);
  }
}
