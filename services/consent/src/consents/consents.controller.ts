import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CurrentPrincipal, Principal, Roles, ZodValidationPipe } from '@divit/service-kit';
import { AnswerDto, answerSchema, consentIdParam } from './dto/consent.dto';
import { AllocationConsentStatus, ConsentsService, ConsentView } from './consents.service';

/** Answers (grant with a signed receipt, or refusal: failure U1) and withdrawals. */
@Controller('consents')
export class ConsentsController {
  constructor(private readonly consents: ConsentsService) {}

  /** Answers a recent showing (window CONSENT_SHOWING_WINDOW_MINUTES); 409 without a valid showing. */
  @Post()
  @HttpCode(201)
  @Roles('allocation-system', 'admin')
  answer(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodValidationPipe(answerSchema)) body: AnswerDto,
  ): Promise<ConsentView> {
    return this.consents.answer(principal, body);
  }

  @Get(':id')
  @Roles('allocation-system', 'admin', 'auditor')
  get(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodValidationPipe(consentIdParam)) params: { id: string },
  ): Promise<ConsentView> {
    return this.consents.get(principal, params.id);
  }

  /** Withdraws a grant at once, no reason needed; repeating it returns the same result (one ConsentWithdrawn). */
  @Post(':id/withdrawal')
  @HttpCode(200)
  @Roles('allocation-system', 'admin')
  withdraw(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodValidationPipe(consentIdParam)) params: { id: string },
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
  status(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodValidationPipe(consentIdParam)) params: { id: string },
  ): Promise<AllocationConsentStatus> {
    return this.consents.allocationStatus(principal, params.id);
  }
}
