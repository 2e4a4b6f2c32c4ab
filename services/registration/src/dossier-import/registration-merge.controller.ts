import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiProblems, ApiResult, CurrentPrincipal, Roles, ZodBody } from '@divit/service-kit';
import type { Principal } from '@divit/service-kit';
import {
  MergeRequest,
  mergeRequestSchema,
  MergeResult,
  mergeResultSchema,
} from './dto/registration-merge.dto';
import { RegistrationMergeService } from './registration-merge.service';

/**
 * Manual merge of duplicates the import's automatic key cannot see (issue 16 item 14). An organisation's `admin`
 * merges registrations of its own organisation and of organisations it coordinates; the `platform-operator` any
 * (a migration spans organisations). Access-logged (REGISTRATIONS_MERGED, one entry per registration).
 */
@Controller('registration-merges')
export class RegistrationMergeController {
  constructor(private readonly merges: RegistrationMergeService) {}

  @Post()
  @HttpCode(200)
  @Roles('admin', 'platform-operator')
  @ApiResult(mergeResultSchema, { description: 'The merge as done.' })
  @ApiProblems(
    'MERGE_SAME_REGISTRATION',
    'MERGE_REGISTRATION_NOT_FOUND',
    'MERGE_REGISTRATION_DEREGISTERED',
    'MERGE_DUPLICATE_HAS_ALLOCATIONS',
    'MERGE_IMPORT_IN_PROGRESS',
  )
  merge(
    @CurrentPrincipal() principal: Principal,
    @ZodBody(mergeRequestSchema) body: MergeRequest,
  ): Promise<MergeResult> {
    return this.merges.merge(principal, body.survivorRegistrationId, body.duplicateRegistrationId);
  }
}
