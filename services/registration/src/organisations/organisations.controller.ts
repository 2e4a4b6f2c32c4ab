import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CurrentPrincipal, ROLES, Roles, ZodValidationPipe } from '@divit/service-kit';
import type { Principal } from '@divit/service-kit';
import {
  organisationIdParam,
  RegisterOrganisationDto,
  registerOrganisationSchema,
} from './dto/register-organisation.dto';
import { AtQuery, atQuerySchema, RouteChangeDto, routeChangeSchema } from './dto/organisation-changes.dto';
import { OrganisationMembershipsService } from './organisation-memberships.service';
import { RouteView } from './dto/organisation-views.dto';
import {
  OrganisationsService,
  OrganisationView,
  RouteAtView,
  RouteChangeView,
} from './organisations.service';

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
  register(
    @Body(new ZodValidationPipe(registerOrganisationSchema)) body: RegisterOrganisationDto,
  ): Promise<OrganisationView> {
    return this.organisations.register(body);
  }

  /** The organisation with the route in force on `at` (default today) and the route history. */
  @Get(':id')
  @Roles(...ROLES)
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodValidationPipe(organisationIdParam)) params: { id: string },
    @Query(new ZodValidationPipe(atQuerySchema)) query: AtQuery,
  ): Promise<OrganisationView> {
    await this.memberships.assertReadable(principal, params.id);
    return this.organisations.get(params.id, query.at);
  }

  /** The route and coordinator in force on `at` (default today). */
  @Get(':id/route')
  @Roles(...ROLES)
  async route(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodValidationPipe(organisationIdParam)) params: { id: string },
    @Query(new ZodValidationPipe(atQuerySchema)) query: AtQuery,
  ): Promise<RouteAtView> {
    await this.memberships.assertReadable(principal, params.id);
    return this.organisations.routeAt(params.id, query.at);
  }

  /** Every route the organisation followed or will follow, oldest first. */
  @Get(':id/route-changes')
  @Roles(...ROLES)
  async routeChanges(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodValidationPipe(organisationIdParam)) params: { id: string },
  ): Promise<RouteView[]> {
    await this.memberships.assertReadable(principal, params.id);
    return this.organisations.routeHistory(params.id);
  }

  /** Changes route and/or coordinator from a date, after the latest recorded change. */
  @Post(':id/route-changes')
  @HttpCode(201)
  @Roles('platform-operator')
  changeRoute(
    @Param(new ZodValidationPipe(organisationIdParam)) params: { id: string },
    @Body(new ZodValidationPipe(routeChangeSchema)) body: RouteChangeDto,
  ): Promise<RouteChangeView> {
    return this.organisations.changeRoute(params.id, body);
  }
}
