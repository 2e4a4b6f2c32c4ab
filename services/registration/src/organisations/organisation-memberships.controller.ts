import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ROLES, Roles, ZodValidationPipe } from '@divit/service-kit';
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
import { HousingStockRow } from './organisations.repository';

/** Members of a route B/C organisation over time and their housing stock. Writes: admin only. */
@Controller('organisations/:id')
export class OrganisationMembershipsController {
  constructor(private readonly memberships: OrganisationMembershipsService) {}

  @Post('memberships')
  @HttpCode(201)
  @Roles('admin')
  start(
    @Param(new ZodValidationPipe(organisationIdParam)) params: { id: string },
    @Body(new ZodValidationPipe(startMembershipSchema)) body: StartMembershipDto,
  ): Promise<MembershipView> {
    return this.memberships.start(params.id, body);
  }

  /** Memberships in force on `at` (default today). */
  @Get('memberships')
  @Roles(...ROLES)
  membershipsOn(
    @Param(new ZodValidationPipe(organisationIdParam)) params: { id: string },
    @Query(new ZodValidationPipe(atQuerySchema)) query: AtQuery,
  ): Promise<MembershipsView> {
    return this.memberships.membershipsOn(params.id, query.at);
  }

  /** Every membership period, past, present and future. */
  @Get('memberships/history')
  @Roles(...ROLES)
  membershipHistory(
    @Param(new ZodValidationPipe(organisationIdParam)) params: { id: string },
  ): Promise<MembershipsView> {
    return this.memberships.membershipHistory(params.id);
  }

  @Post('memberships/:membershipId/end')
  @HttpCode(200)
  @Roles('admin')
  end(
    @Param(new ZodValidationPipe(membershipParams)) params: { id: string; membershipId: string },
    @Body(new ZodValidationPipe(endMembershipSchema)) body: EndMembershipDto,
  ): Promise<MembershipView> {
    return this.memberships.end(params.id, params.membershipId, body);
  }

  @Post('housing-stock')
  @HttpCode(201)
  @Roles('admin')
  recordHousingStock(
    @Param(new ZodValidationPipe(organisationIdParam)) params: { id: string },
    @Body(new ZodValidationPipe(housingStockSchema)) body: HousingStockDto,
  ): Promise<HousingStockRecordView> {
    return this.memberships.recordHousingStock(params.id, body);
  }

  /** Each member's housing stock in force on `at` (default today), with the total. */
  @Get('housing-stock')
  @Roles(...ROLES)
  housingStockOn(
    @Param(new ZodValidationPipe(organisationIdParam)) params: { id: string },
    @Query(new ZodValidationPipe(atQuerySchema)) query: AtQuery,
  ): Promise<HousingStockAtView> {
    return this.memberships.housingStockOn(params.id, query.at);
  }

  /** Every recorded figure. */
  @Get('housing-stock/history')
  @Roles(...ROLES)
  housingStockHistory(
    @Param(new ZodValidationPipe(organisationIdParam)) params: { id: string },
  ): Promise<{ organisationId: string; records: HousingStockRow[] }> {
    return this.memberships.housingStockHistory(params.id);
  }
}
