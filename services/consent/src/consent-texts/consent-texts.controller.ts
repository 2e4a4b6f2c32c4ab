import { Controller, Get, HttpCode, Post } from '@nestjs/common';
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
import {
  ConsentTextView,
  consentTextView,
  CreateConsentTextDto,
  createConsentTextSchema,
  CurrentConsentTextView,
  currentConsentTextView,
  CurrentTextQuery,
  currentTextQuery,
  textIdParam,
} from './dto/consent-text.dto';
import { ConsentTextsService } from './consent-texts.service';

/** Versioned consent texts per organisation, audience, purpose and language, with the DIV-it minimum elements. */
@Controller('consent-texts')
export class ConsentTextsController {
  constructor(private readonly texts: ConsentTextsService) {}

  /** Creates a draft (elements may still be incomplete; `missingElements` says what publication needs). */
  @Post()
  @HttpCode(201)
  @Roles('admin')
  @ApiResult(consentTextView, { status: 201, description: 'The draft.' })
  @ApiProblems('ORGANISATION_NOT_FOUND', 'AUDIENCE_MISMATCH')
  create(
    @CurrentPrincipal() principal: Principal,
    @ZodBody(createConsentTextSchema) body: CreateConsentTextDto,
  ): Promise<ConsentTextView> {
    return this.texts.createDraft(principal, body);
  }

  /** The latest published version of a series and the controller it names today. */
  @Get('current')
  @Roles('allocation-system', 'admin', 'auditor')
  @ApiResult(currentConsentTextView)
  @ApiProblems(
    'NO_CURRENT_CONSENT_TEXT',
    'ORGANISATION_NOT_FOUND',
    'CONTROLLER_UNKNOWN',
    'ORGANISATION_ROUTE_UNKNOWN',
  )
  current(
    @CurrentPrincipal() principal: Principal,
    @ZodQuery(currentTextQuery) query: CurrentTextQuery,
  ): Promise<CurrentConsentTextView> {
    return this.texts.current(principal, query);
  }

  @Get(':id')
  @Roles('allocation-system', 'admin', 'auditor')
  @ApiResult(consentTextView)
  @ApiProblems('CONSENT_TEXT_NOT_FOUND')
  get(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(textIdParam) params: { id: string },
  ): Promise<ConsentTextView> {
    return this.texts.get(principal, params.id);
  }

  /** Publishes a draft: 422 CONSENT_TEXT_INCOMPLETE naming every missing element, else 201 with the version hash. */
  @Post(':id/publication')
  @HttpCode(201)
  @Roles('admin')
  @ApiResult(consentTextView, { status: 201, description: 'The published version.' })
  @ApiProblems('CONSENT_TEXT_NOT_FOUND', 'CONSENT_TEXT_ALREADY_PUBLISHED', 'CONSENT_TEXT_INCOMPLETE')
  publish(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(textIdParam) params: { id: string },
  ): Promise<ConsentTextView> {
    return this.texts.publish(principal, params.id);
  }
}
