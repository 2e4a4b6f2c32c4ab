import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import {
  ApiProblems,
  ApiResult,
  CurrentPrincipal,
  Principal,
  Roles,
  ZodBody,
  ZodParams,
} from '@divit/service-kit';
import {
  AllocationConsentStatus,
  allocationConsentStatusView,
  AnswerDto,
  answerSchema,
  consentIdParam,
  ConsentView,
  consentView,
} from './dto/consent.dto';
import { ConsentsService } from './consents.service';

/** Answers (grant with a signed receipt, or refusal: failure U1) and withdrawals. */
@Controller('consents')
export class ConsentsController {
  constructor(private readonly consents: ConsentsService) {}

  /** Answers a recent showing (window CONSENT_SHOWING_WINDOW_MINUTES); 409 without a valid showing. */
  @Post()
  @HttpCode(201)
  @Roles('allocation-system', 'admin')
  @ApiResult(consentView, { status: 201, description: 'The answer; a grant carries its signed receipt.' })
  @ApiProblems(
    'NO_VALID_SHOWING',
    'SHOWING_EXPIRED',
    'SHOWING_ALREADY_ANSWERED',
    'CONSENT_ALREADY_GRANTED',
    'CONSENT_TEXT_SUPERSEDED',
    'CONTROLLER_CHANGED_SINCE_SHOWING',
    'CONTROLLER_UNKNOWN',
    'ORGANISATION_ROUTE_UNKNOWN',
    'NO_SIGNING_KEY',
  )
  answer(
    @CurrentPrincipal() principal: Principal,
    @ZodBody(answerSchema) body: AnswerDto,
  ): Promise<ConsentView> {
    return this.consents.answer(principal, body);
  }

  @Get(':id')
  @Roles('allocation-system', 'admin', 'auditor')
  @ApiResult(consentView)
  @ApiProblems('CONSENT_NOT_FOUND')
  get(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(consentIdParam) params: { id: string },
  ): Promise<ConsentView> {
    return this.consents.get(principal, params.id);
  }

  /** Withdraws a grant at once, no reason needed; repeating it returns the same result (one ConsentWithdrawn). */
  @Post(':id/withdrawal')
  @HttpCode(200)
  @Roles('allocation-system', 'admin')
  @ApiResult(consentView, { description: 'The withdrawn grant.' })
  @ApiProblems('CONSENT_NOT_FOUND', 'CONSENT_NOT_GRANTED')
  withdraw(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(consentIdParam) params: { id: string },
  ): Promise<ConsentView> {
    return this.consents.withdraw(principal, params.id);
  }
}

/** Consent status of every person of an allocation (home seeker and co-residents, each separately). */
@Controller('allocations')
export class AllocationConsentController {
  constructor(private readonly consents: ConsentsService) {}

  @Get(':id/consent-status')
  @Roles('allocation-system', 'admin', 'auditor')
  @ApiResult(allocationConsentStatusView)
  @ApiProblems('ALLOCATION_NOT_FOUND')
  status(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(consentIdParam) params: { id: string },
  ): Promise<AllocationConsentStatus> {
    return this.consents.allocationStatus(principal, params.id);
  }
}
