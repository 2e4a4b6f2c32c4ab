import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CurrentPrincipal, Principal, Roles, ZodValidationPipe } from '@divit/service-kit';
import { RecordShowingDto, recordShowingSchema } from './dto/showing.dto';
import { ShowingsService, ShowingView } from './showings.service';

/** Proof of showing a consent text (the seeker-facing front end acts as allocation-system for its organisation). */
@Controller('showings')
export class ShowingsController {
  constructor(private readonly showings: ShowingsService) {}

  /** Records that a published, current text version was shown to a person now, in a channel. */
  @Post()
  @HttpCode(201)
  @Roles('allocation-system', 'admin')
  record(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodValidationPipe(recordShowingSchema)) body: RecordShowingDto,
  ): Promise<ShowingView> {
    return this.showings.record(principal, body);
  }
}
