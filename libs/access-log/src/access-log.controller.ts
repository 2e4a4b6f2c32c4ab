import { Controller, Get } from '@nestjs/common';
import { z } from 'zod';
import { ApiResult, CurrentPrincipal, instant, Roles, ZodQuery } from '@divit/service-kit';
import type { Principal } from '@divit/service-kit';
import { ACCESS_LOG_MAX_PAGE, AccessLogService, decodeCursor } from './access-log.service';
import { AccessLogPage, accessLogPageView } from './access-log.views';

const cursor = z
  .string()
  .max(64)
  .refine((c) => {
    try {
      decodeCursor(c);
      return true;
    } catch {
      return false;
    }
  }, 'must be a nextCursor of a previous page');

export const accessLogQuery = z.strictObject({
  subject: z.string().min(1).max(200).optional(),
  organisationId: z.string().min(1).max(64).optional(),
  resourceType: z.string().min(1).max(40).optional(),
  resourceId: z.string().min(1).max(200).optional(),
  registrationId: z.uuid().optional(),
  allocationId: z.uuid().optional(),
  action: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]*$/)
    .max(60)
    .optional(),
  kind: z.enum(['ACCESS', 'AUTHENTICATION']).optional(),
  from: instant().optional(),
  to: instant().optional(),
  limit: z.coerce.number().int().min(1).max(ACCESS_LOG_MAX_PAGE).optional(),
  cursor: cursor.optional(),
});
type AccessLogQueryDto = z.infer<typeof accessLogQuery>;

/**
 * The access log for auditors: by subject, organisation, resource and time range, newest first, paged. An
 * organisation's auditor or admin reads its own organisation's entries; the platform operator every entry
 * (docs/adr/0014, docs/adr/0020). Every read is itself recorded.
 */
@Controller('access-log')
export class AccessLogController {
  constructor(private readonly log: AccessLogService) {}

  /** Entries by or about the caller's organisation (every entry for the platform operator), newest first, paged. */
  @Get()
  @Roles('auditor', 'admin', 'platform-operator')
  @ApiResult(accessLogPageView, { description: 'A page of entries, newest first.' })
  async list(
    @CurrentPrincipal() principal: Principal,
    @ZodQuery(accessLogQuery) query: AccessLogQueryDto,
  ): Promise<AccessLogPage> {
    const page = await this.log.query(principal, query);
    await this.log.record({
      principal,
      action: 'ACCESS_LOG_READ',
      resourceType: 'access-log',
      purpose: 'AUDIT',
    });
    return page;
  }
}
