import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import {
  ApiProblems,
  ApiResult,
  CurrentPrincipal,
  PLATFORM_USER_ROLES,
  Roles,
  ZodBody,
  ZodParams,
  ZodQuery,
} from '@divit/service-kit';
import type { Principal } from '@divit/service-kit';
import {
  organisationIdParam,
  RegisterOrganisationDto,
  registerOrganisationSchema,
} from './dto/register-organisation.dto';
import { AtQuery, atQuerySchema, RouteChangeDto, routeChangeSchema } from './dto/organisation-changes.dto';
import { OrganisationMembershipsService } from './organisation-memberships.service';
import {
  OrganisationView,
  organisationViewSchema,
  RouteAtView,
  routeAtViewSchema,
  RouteChangeView,
  routeChangeViewSchema,
  routeHistorySchema,
  RouteView,
} from './dto/organisation-views.dto';
import { OrganisationsService } from './organisations.service';

/**
 * Organisations and their route over time. Reads: the platform operator, the organisation itself (or the one that
 * coordinates it) and its member corporations, as for memberships; anyone else gets 404 as for a missing id (the
 * hostile-client tier found every tenant reading every other tenant's organisation and route). Writes
 * (registering an organisation, changing its route) are platform-wide: the platform operator only, never an
 * organisation's admin (docs/adr/0014).
 */
@Controller('organisations')
export class OrganisationsController {
  constructor(
    private readonly organisations: OrganisationsService,
    private readonly memberships: OrganisationMembershipsService,
  ) {}

  @Post()
  @HttpCode(201)
  @Roles('platform-operator')
  @ApiResult(organisationViewSchema, {
    status: 201,
    description: 'The organisation with the route decided from the answers.',
  })
  @ApiProblems(
    'ORGANISATION_NAME_TAKEN',
    'DIVIT_NOT_APPLICABLE',
    'COORDINATOR_NOT_ALLOWED',
    'COORDINATOR_NOT_A_CORPORATION',
    'COORDINATOR_NOT_A_MEMBER',
    'COORDINATOR_REQUIRED',
    'COORDINATOR_UNKNOWN',
    'MEMBERS_NOT_ALLOWED',
    'MEMBER_NOT_A_CORPORATION',
    'MEMBER_UNKNOWN',
  )
  register(@ZodBody(registerOrganisationSchema) body: RegisterOrganisationDto): Promise<OrganisationView> {
    return this.organisations.register(body);
  }

  /** The organisation with the route in force on `at` (default today) and the route history. */
  @Get(':id')
  @Roles(...PLATFORM_USER_ROLES)
  @ApiResult(organisationViewSchema)
  @ApiProblems('ORGANISATION_NOT_FOUND')
  async get(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(organisationIdParam) params: { id: string },
    @ZodQuery(atQuerySchema) query: AtQuery,
  ): Promise<OrganisationView> {
    await this.memberships.assertReadable(principal, params.id);
    return this.organisations.get(params.id, query.at);
  }

  /** The route and coordinator in force on `at` (default today). */
  @Get(':id/route')
  @Roles(...PLATFORM_USER_ROLES)
  @ApiResult(routeAtViewSchema)
  @ApiProblems('ORGANISATION_NOT_FOUND', 'ROUTE_NOT_IN_FORCE')
  async route(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(organisationIdParam) params: { id: string },
    @ZodQuery(atQuerySchema) query: AtQuery,
  ): Promise<RouteAtView> {
    await this.memberships.assertReadable(principal, params.id);
    return this.organisations.routeAt(params.id, query.at);
  }

  /** Every route the organisation followed or will follow, oldest first. */
  @Get(':id/route-changes')
  @Roles(...PLATFORM_USER_ROLES)
  @ApiResult(routeHistorySchema)
  @ApiProblems('ORGANISATION_NOT_FOUND')
  async routeChanges(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(organisationIdParam) params: { id: string },
  ): Promise<RouteView[]> {
    await this.memberships.assertReadable(principal, params.id);
    return this.organisations.routeHistory(params.id);
  }

  /** Changes route and/or coordinator from a date, after the latest recorded change. */
  @Post(':id/route-changes')
  @HttpCode(201)
  @Roles('platform-operator')
  @ApiResult(routeChangeViewSchema, {
    status: 201,
    description: 'The previous and the new route, and the history.',
  })
  @ApiProblems(
    'ORGANISATION_NOT_FOUND',
    'ROUTE_CHANGE_NOT_AFTER_LATEST',
    'COORDINATOR_NOT_ALLOWED',
    'COORDINATOR_NOT_A_CORPORATION',
    'COORDINATOR_NOT_A_MEMBER',
    'COORDINATOR_REQUIRED',
    'COORDINATOR_UNKNOWN',
    'ROUTE_NOT_ALLOWED_FOR_KIND',
    'ROUTE_UNCHANGED',
  )
  changeRoute(
    @ZodParams(organisationIdParam) params: { id: string },
    @ZodBody(routeChangeSchema) body: RouteChangeDto,
  ): Promise<RouteChangeView> {
    return this.organisations.changeRoute(params.id, body);
  }
}
