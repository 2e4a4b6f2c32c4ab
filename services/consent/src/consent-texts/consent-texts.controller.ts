import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CurrentPrincipal, Principal, Roles, ZodValidationPipe } from '@divit/service-kit';
import {
  CreateConsentTextDto,
  createConsentTextSchema,
  CurrentTextQuery,
  currentTextQuery,
  textIdParam,
} from './dto/consent-text.dto';
import { ConsentTextsService, ConsentTextView, CurrentConsentTextView } from './consent-texts.service';

/** Versioned consent texts per organisation, audience, purpose and language, with the DIV-it minimum elements. */
@Controller('consent-texts')
export class ConsentTextsController {
  constructor(private readonly texts: ConsentTextsService) {}

  /** Creates a draft (elements may still be incomplete; `missingElements` says what publication needs). */
  @Post()
  @HttpCode(201)
  @Roles('admin')
  create(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodValidationPipe(createConsentTextSchema)) body: CreateConsentTextDto,
  ): Promise<ConsentTextView> {
    return this.texts.createDraft(principal, body);
  }

  /** The latest published version of a series and the controller it names today. */
  @Get('current')
  @Roles('allocation-system', 'admin', 'auditor')
  current(
    @CurrentPrincipal() principal: Principal,
    @Query(new ZodValidationPipe(currentTextQuery)) query: CurrentTextQuery,
  ): Promise<CurrentConsentTextView> {
    return this.texts.current(principal, query);
  }

  @Get(':id')
  @Roles('allocation-system', 'admin', 'auditor')
  get(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodValidationPipe(textIdParam)) params: { id: string },
  ): Promise<ConsentTextView> {
    return this.texts.get(principal, params.id);
  }

  /** Publishes a draft: 422 CONSENT_TEXT_INCOMPLETE naming every missing element, else 201 with the version hash. */
  @Post(':id/publication')
  @HttpCode(201)
  @Roles('admin')
  publish(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodValidationPipe(textIdParam)) params: { id: string },
  ): Promise<ConsentTextView> {
    return this.texts.publish(principal, params.id);
  }
}
