import { Controller, Delete, Get, HttpCode, Patch, Post, Put, StreamableFile } from '@nestjs/common';
import {
  ApiNoContentResult,
  ApiProblems,
  ApiResult,
  ApiResults,
  CurrentPrincipal,
  Roles,
  ZodBody,
  ZodParams,
  ZodQuery,
} from '@divit/service-kit';
import type { Principal } from '@divit/service-kit';
import { renderAccessReviewPdf } from './access-review-pdf';
import { AccessReviewService } from './access-review.service';
import {
  accessReviewReportSchema,
  AccessReviewReport,
  AccessReviewView,
  accessReviewViewSchema,
  AccessStateView,
  accessStateViewSchema,
  AgreementEndDto,
  agreementEndSchema,
  ChangeUserDto,
  changeUserSchema,
  clientParams,
  InviteUserDto,
  inviteUserSchema,
  namedUserListSchema,
  NamedUserList,
  namedUserParams,
  NamedUserView,
  namedUserViewSchema,
  organisationParams,
  RecordReviewDto,
  recordReviewSchema,
  reportQuerySchema,
} from './dto/access.dto';
import { NamedUsersService } from './named-users.service';

const USER_PROBLEMS = [
  'ORGANISATION_NOT_FOUND',
  'OUTSIDE_ORGANISATION',
  'IDENTITY_PROVIDER_NOT_CONFIGURED',
  'IDENTITY_PROVIDER_UNAVAILABLE',
  'IDENTITY_PROVIDER_FAILED',
] as const;

/**
 * Named users of an organisation, access suspensions and access reviews (issue 15 items 2, 3 and 6;
 * docs/adr/0030). Users: the organisation's admin, a coordinator for the organisations it coordinates, the platform
 * operator. Suspending or ending a whole organisation's access: the platform operator only.
 */
@Controller('organisations')
export class AccessController {
  constructor(
    private readonly users: NamedUsersService,
    private readonly reviews: AccessReviewService,
  ) {}

  @Get(':id/users')
  @Roles('admin', 'coordinator', 'platform-operator')
  @ApiResult(namedUserListSchema)
  @ApiProblems('ORGANISATION_NOT_FOUND')
  list(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(organisationParams) params: { id: string },
  ): Promise<NamedUserList> {
    return this.users.list(principal, params.id);
  }

  /** Invites a named user: created in the identity provider with the roles and first-login actions. */
  @Post(':id/users')
  @HttpCode(201)
  @Roles('admin', 'coordinator', 'platform-operator')
  @ApiResult(namedUserViewSchema, {
    status: 201,
    description: 'The user, with the actions due at first login.',
  })
  @ApiProblems(...USER_PROBLEMS, 'NAMED_USER_CAP_REACHED', 'USERNAME_TAKEN', 'ROLE_NOT_GRANTABLE')
  invite(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(organisationParams) params: { id: string },
    @ZodBody(inviteUserSchema) body: InviteUserDto,
  ): Promise<NamedUserView> {
    return this.users.invite(principal, params.id, body);
  }

  /** Changes a user's roles; tokens issued with a role taken away are refused from then on. */
  @Patch(':id/users/:userId')
  @Roles('admin', 'coordinator', 'platform-operator')
  @ApiResult(namedUserViewSchema)
  @ApiProblems(...USER_PROBLEMS, 'NAMED_USER_NOT_FOUND', 'NAMED_USER_REMOVED', 'ROLE_NOT_GRANTABLE')
  change(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(namedUserParams) params: { id: string; userId: string },
    @ZodBody(changeUserSchema) body: ChangeUserDto,
  ): Promise<NamedUserView> {
    return this.users.change(principal, params.id, params.userId, body);
  }

  /** Removes a user: deleted in the identity provider, every token of it refused. */
  @Delete(':id/users/:userId')
  @HttpCode(204)
  @Roles('admin', 'coordinator', 'platform-operator')
  @ApiNoContentResult()
  @ApiProblems(...USER_PROBLEMS, 'NAMED_USER_NOT_FOUND', 'ROLE_NOT_GRANTABLE')
  async remove(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(namedUserParams) params: { id: string; userId: string },
  ): Promise<void> {
    await this.users.remove(principal, params.id, params.userId);
  }

  @Post(':id/users/:userId/suspension')
  @HttpCode(200)
  @Roles('admin', 'coordinator', 'platform-operator')
  @ApiResult(namedUserViewSchema)
  @ApiProblems(...USER_PROBLEMS, 'NAMED_USER_NOT_FOUND', 'NAMED_USER_REMOVED', 'ALREADY_SUSPENDED')
  suspendUser(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(namedUserParams) params: { id: string; userId: string },
  ): Promise<NamedUserView> {
    return this.users.suspendUser(principal, params.id, params.userId);
  }

  @Delete(':id/users/:userId/suspension')
  @Roles('admin', 'coordinator', 'platform-operator')
  @ApiResult(namedUserViewSchema)
  @ApiProblems(...USER_PROBLEMS, 'NAMED_USER_NOT_FOUND', 'NOT_SUSPENDED')
  reinstateUser(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(namedUserParams) params: { id: string; userId: string },
  ): Promise<NamedUserView> {
    return this.users.reinstateUser(principal, params.id, params.userId);
  }

  /** Suspends the whole organisation: every service refuses its tokens within the bound of docs/adr/0030. */
  @Post(':id/suspension')
  @HttpCode(200)
  @Roles('platform-operator')
  @ApiResult(accessStateViewSchema)
  @ApiProblems('ORGANISATION_NOT_FOUND', 'ALREADY_SUSPENDED')
  suspendOrganisation(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(organisationParams) params: { id: string },
  ): Promise<AccessStateView> {
    return this.users.suspendOrganisation(principal, params.id);
  }

  @Delete(':id/suspension')
  @Roles('platform-operator')
  @ApiResult(accessStateViewSchema)
  @ApiProblems('ORGANISATION_NOT_FOUND', 'NOT_SUSPENDED')
  reinstateOrganisation(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(organisationParams) params: { id: string },
  ): Promise<AccessStateView> {
    return this.users.reinstateOrganisation(principal, params.id);
  }

  /** The end of the organisation's agreement: its access ends then, on every service. */
  @Put(':id/agreement-end')
  @Roles('platform-operator')
  @ApiResult(accessStateViewSchema)
  @ApiProblems('ORGANISATION_NOT_FOUND')
  setAgreementEnd(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(organisationParams) params: { id: string },
    @ZodBody(agreementEndSchema) body: AgreementEndDto,
  ): Promise<AccessStateView> {
    return this.users.setAgreementEnd(principal, params.id, new Date(body.endsAt));
  }

  /** Suspends a calling system (an identity-provider client) of the organisation. */
  @Post(':id/clients/:clientId/suspension')
  @HttpCode(200)
  @Roles('admin', 'platform-operator')
  @ApiResult(accessStateViewSchema)
  @ApiProblems(...USER_PROBLEMS, 'CLIENT_NOT_FOUND', 'ALREADY_SUSPENDED')
  suspendClient(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(clientParams) params: { id: string; clientId: string },
  ): Promise<AccessStateView> {
    return this.users.setClientSuspended(principal, params.id, params.clientId, true);
  }

  @Delete(':id/clients/:clientId/suspension')
  @Roles('admin', 'platform-operator')
  @ApiResult(accessStateViewSchema)
  @ApiProblems(...USER_PROBLEMS, 'CLIENT_NOT_FOUND', 'NOT_SUSPENDED')
  reinstateClient(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(clientParams) params: { id: string; clientId: string },
  ): Promise<AccessStateView> {
    return this.users.setClientSuspended(principal, params.id, params.clientId, false);
  }

  /** Records that the organisation's issued rights were reviewed (seed 002: at least every six months). */
  @Post(':id/access-reviews')
  @HttpCode(201)
  @Roles('admin', 'coordinator', 'platform-operator')
  @ApiResult(accessReviewViewSchema, { status: 201 })
  @ApiProblems('ORGANISATION_NOT_FOUND', 'OUTSIDE_ORGANISATION')
  recordReview(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(organisationParams) params: { id: string },
    @ZodBody(recordReviewSchema) body: RecordReviewDto,
  ): Promise<AccessReviewView> {
    return this.reviews.record(principal, params.id, body);
  }

  /** The access review report: users, roles, last login, last review, overdue; JSON or PDF (format=pdf). */
  @Get(':id/access-review')
  @Roles('admin', 'coordinator', 'auditor', 'platform-operator')
  @ApiResults(
    { 'application/json': accessReviewReportSchema, 'application/pdf': 'binary' },
    { description: 'The report: application/json (format=json, default) or application/pdf (format=pdf).' },
  )
  @ApiProblems('ORGANISATION_NOT_FOUND')
  async report(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(organisationParams) params: { id: string },
    @ZodQuery(reportQuerySchema) query: { format: 'json' | 'pdf' },
  ): Promise<AccessReviewReport | StreamableFile> {
    const report = await this.reviews.report(principal, params.id, query.format);
    if (query.format === 'json') return report;
    return new StreamableFile(await renderAccessReviewPdf(report), {
      type: 'application/pdf',
      disposition: `attachment; filename="access-review-${params.id}.pdf"`,
    });
  }
}
