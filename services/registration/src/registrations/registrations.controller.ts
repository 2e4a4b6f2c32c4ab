import { Controller, Get, HttpCode, Patch, Post } from '@nestjs/common';
import {
  ApiProblems,
  ApiResult,
  CurrentPrincipal,
  Principal,
  Roles,
  ZodBody,
  ZodParams,
  ZodQuery,
} from '@divit/service-kit';
import { AccessLogEntry, accessLogEntriesSchema, AccessLogService } from '@divit/access-log';
import {
  accessPurposeQuery,
  CreateRegistrationDto,
  createRegistrationSchema,
  registrationIdParam,
  UpdateRegistrationDto,
  updateRegistrationSchema,
} from './dto/registration.dto';
import { RegistrationView, registrationViewSchema } from './dto/registration-view.dto';
import { RegistrationsService } from './registrations.service';

@Controller('registrations')
export class RegistrationsController {
  constructor(
    private readonly registrations: RegistrationsService,
    private readonly accessLog: AccessLogService,
  ) {}

  @Post()
  @HttpCode(201)
  @Roles('allocation-system', 'admin')
  @ApiResult(registrationViewSchema, { status: 201, description: 'The registration as stored.' })
  @ApiProblems('ORGANISATION_NOT_VISIBLE')
  create(
    @CurrentPrincipal() principal: Principal,
    @ZodBody(createRegistrationSchema) body: CreateRegistrationDto,
  ): Promise<RegistrationView> {
    return this.registrations.create(principal, body);
  }

  /** Every read is recorded in the access log with its purpose (?purpose=CASE_HANDLING|ALLOCATION|AUDIT|SEEKER_REQUEST). */
  @Get(':id')
  @Roles('allocation-system', 'admin', 'auditor', 'coordinator', 'member')
  @ApiResult(registrationViewSchema)
  @ApiProblems('REGISTRATION_NOT_FOUND')
  get(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(registrationIdParam) params: { id: string },
    @ZodQuery(accessPurposeQuery) query: { purpose: string },
  ): Promise<RegistrationView> {
    return this.registrations.get(principal, params.id, query.purpose);
  }

  @Patch(':id')
  @Roles('allocation-system', 'admin')
  @ApiResult(registrationViewSchema, { description: 'The registration after the change.' })
  @ApiProblems('REGISTRATION_NOT_FOUND', 'REGISTRATION_DEREGISTERED', 'REGISTRATION_DATE_BEFORE_BIRTH')
  update(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(registrationIdParam) params: { id: string },
    @ZodBody(updateRegistrationSchema) body: UpdateRegistrationDto,
  ): Promise<RegistrationView> {
    return this.registrations.update(principal, params.id, body);
  }

  @Post(':id/deregister')
  @HttpCode(200)
  @Roles('allocation-system', 'admin')
  @ApiResult(registrationViewSchema, { description: 'The registration, deregistered.' })
  @ApiProblems('REGISTRATION_NOT_FOUND', 'REGISTRATION_DEREGISTERED')
  deregister(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(registrationIdParam) params: { id: string },
  ): Promise<RegistrationView> {
    return this.registrations.deregister(principal, params.id);
  }

  /** Who read or changed this registration, when and why (auditors). */
  @Get(':id/access-log')
  @Roles('auditor', 'admin')
  @ApiResult(accessLogEntriesSchema, { description: 'The newest entries (at most 500), oldest first.' })
  @ApiProblems('REGISTRATION_NOT_FOUND')
  async accessLogOf(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(registrationIdParam) params: { id: string },
  ): Promise<AccessLogEntry[]> {
    // Same visibility as the registration itself; reading the log is itself logged.
    await this.registrations.get(principal, params.id, 'AUDIT');
    return this.accessLog.entriesOf({ registrationId: params.id });
  }
}
