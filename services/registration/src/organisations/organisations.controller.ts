import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { Roles, ZodValidationPipe } from '@divit/service-kit';
import {
  organisationIdParam,
  RegisterOrganisationDto,
  registerOrganisationSchema,
} from './dto/register-organisation.dto';
import { OrganisationsService, OrganisationView } from './organisations.service';

@Controller('organisations')
export class OrganisationsController {
  constructor(private readonly organisations: OrganisationsService) {}

  @Post()
  @HttpCode(201)
  @Roles('admin')
  register(
    @Body(new ZodValidationPipe(registerOrganisationSchema)) body: RegisterOrganisationDto,
  ): Promise<OrganisationView> {
    return this.organisations.register(body);
  }

  @Get(':id')
  @Roles('admin', 'allocation-system', 'auditor', 'coordinator', 'finance', 'member')
  get(@Param(new ZodValidationPipe(organisationIdParam)) params: { id: string }): Promise<OrganisationView> {
    return this.organisations.get(params.id);
  }
}
