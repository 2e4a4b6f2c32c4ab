import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiProblems, ApiResult, CurrentPrincipal, Principal, Roles, ZodBody } from '@divit/service-kit';
import { RecordShowingDto, recordShowingSchema, ShowingView, showingView } from './dto/showing.dto';
import { ShowingsService } from './showings.service';

/** Proof of showing a consent text (the seeker-facing front end acts as allocation-system for its organisation). */
@Controller('showings')
export class ShowingsController {
  constructor(private readonly showings: ShowingsService) {}

  /** Records that a published, current text version was shown to a person now, in a channel. */
  @Post()
  @HttpCode(201)
  @Roles('allocation-system', 'admin')
  @ApiResult(showingView, { status: 201, description: 'The recorded showing.' })
  @ApiProblems(
    'CONSENT_TEXT_NOT_FOUND',
    'REGISTRATION_NOT_FOUND',
    'CONSENT_TEXT_NOT_PUBLISHED',
    'CONSENT_TEXT_SUPERSEDED',
    'CONTROLLER_UNKNOWN',
    'ORGANISATION_ROUTE_UNKNOWN',
    'REGISTRATION_UNKNOWN',
    'ALLOCATION_NOT_ALLOWED',
    'ALLOCATION_REQUIRED',
    {
      code: 'ALLOCATION_UNKNOWN',
      description: 'retry: the allocation has not arrived from registration yet',
    },
    'ALLOCATION_NOT_FOUND',
    {
      code: 'ALLOCATION_EXEMPT',
      description: 'the household is exempted from the income test: DIV-it may not be offered',
    },
    'ALLOCATION_CLOSED',
    'AUDIENCE_MISMATCH',
    'SUBJECT_MISMATCH',
  )
  record(
    @CurrentPrincipal() principal: Principal,
    @ZodBody(recordShowingSchema) body: RecordShowingDto,
  ): Promise<ShowingView> {
    return this.showings.record(principal, body);
  }
}
