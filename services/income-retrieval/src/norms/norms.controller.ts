import { Controller, Get, Inject } from '@nestjs/common';
import { Roles } from '@divit/service-kit';
import { NORM_CATALOGUE } from '../tokens';
import type { NormCatalogue, NormSet } from './norms';

/** The income norms in force (date-versioned data loaded at boot), with their assumptions and sources. */
@Controller('norms')
export class NormsController {
  constructor(@Inject(NORM_CATALOGUE) private readonly norms: NormCatalogue) {}

  @Get()
  @Roles('allocation-system', 'coordinator', 'member', 'auditor', 'finance', 'admin')
  list(): readonly Omit<NormSet, '$comment'>[] {
    return this.norms.all().map(({ $comment: _comment, ...rest }) => rest);
  }
}
