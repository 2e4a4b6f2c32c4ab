import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { CurrentPrincipal, Principal, Roles, ZodValidationPipe } from '@divit/service-kit';
import { AccessLogEntry, AccessLogService } from '@divit/access-log';
import {
  accessPurposeQuery,
  CreateRegistrationDto,
  createRegistrationSchema,
  registrationIdParam,
  UpdateRegistrationDto,
  updateRegistrationSchema,
} from './dto/registration.dto';
import { RegistrationsService, RegistrationView } from './registrations.service';

@Controller('registrations')
export class RegistrationsController {
  constructor(
    private readonly registrations: RegistrationsService,
    private readonly accessLog: AccessLogService,
  ) {}

  @Post()
  @HttpCode(201)
  @Roles('allocation-system', 'admin')
  create(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodValidationPipe(createRegistrationSchema)) body: CreateRegistrationDto,
  ): Promise<RegistrationView> {
    return this.registrations.create(principal, body);
  }

  /** Every read is recorded in the access log with its purpose (?purpose=CASE_HANDLING|ALLOCATION|AUDIT|SEEKER_REQUEST). */
  @Get(':id')
  @Roles('allocation-system', 'admin', 'auditor', 'coordinator', 'member')
  get(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodValidationPipe(registrationIdParam)) params: { id: string },
    @Query(new ZodValidationPipe(accessPurposeQuery)) query: { purpose: string },
  ): Promise<RegistrationView> {
    return this.registrations.get(principal, params.id, query.purpose);
  }

  @Patch(':id')
  @Roles('allocation-system', 'admin')
  update(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodValidationPipe(registrationIdParam)) params: { id: string },
    @Body(new ZodValidationPipe(updateRegistrationSchema)) body: UpdateRegistrationDto,
  ): Promise<RegistrationView> {
    return this.registrations.update(principal, params.id, body);
  }

  @Post(':id/deregister')
  @HttpCode(200)
  @Roles('allocation-system', 'admin')
  deregister(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodValidationPipe(registrationIdParam)) params: { id: string },
  ): Promise<RegistrationView> {
    return this.registrations.deregister(principal, params.id);
  }

  /** Who read or changed this registration, when and why (auditors). */
  @Get(':id/access-log')
  @Roles('auditor', 'admin')
  async accessLogOf(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodValidationPipe(registrationIdParam)) params: { id: string },
  ): Promise<AccessLogEntry[]> {
    // Same visibility as the registration itself; reading the log is itself logged.
    await this.registrations.get(principal, params.id, 'AUDIT');
    return this.accessLog.entriesOf({ registrationId: params.id });
  }
}
