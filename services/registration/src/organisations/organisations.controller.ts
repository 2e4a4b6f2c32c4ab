import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ROLES, Roles, ZodValidationPipe } from '@divit/service-kit';
import {
  organisationIdParam,
  RegisterOrganisationDto,
  registerOrganisationSchema,
} from './dto/register-organisation.dto';
import { AtQuery, atQuerySchema, RouteChangeDto, routeChangeSchema } from './dto/organisation-changes.dto';
import { RouteRow } from './organisations.repository';
import {
  OrganisationsService,
  OrganisationView,
  RouteAtView,
  RouteChangeView,
} from './organisations.service';

/**
 * Organisations and their route over time. Reads: every role (the register of organisations and their routes is
 * not personal data). Writes (registering an organisation, changing its route) are platform-wide: the platform
 * operator only, never an organisation's admin (docs/adr/0014).
 */
@Controller('organisations')
export class OrganisationsController {
  constructor(private readonly organisations: OrganisationsService) {}

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
  get(
    @Param(new ZodValidationPipe(organisationIdParam)) params: { id: string },
    @Query(new ZodValidationPipe(atQuerySchema)) query: AtQuery,
  ): Promise<OrganisationView> {
    return this.organisations.get(params.id, query.at);
  }

  /** The route and coordinator in force on `at` (default today). */
  @Get(':id/route')
  @Roles(...ROLES)
  route(
    @Param(new ZodValidationPipe(organisationIdParam)) params: { id: string },
    @Query(new ZodValidationPipe(atQuerySchema)) query: AtQuery,
  ): Promise<RouteAtView> {
    return this.organisations.routeAt(params.id, query.at);
  }

  /** Every route the organisation followed or will follow, oldest first. */
  @Get(':id/route-changes')
  @Roles(...ROLES)
  routeChanges(
    @Param(new ZodValidationPipe(organisationIdParam)) params: { id: string },
  ): Promise<RouteRow[]> {
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
