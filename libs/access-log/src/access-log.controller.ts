import { Controller, Get } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import {
  ApiResult,
  CurrentPrincipal,
  instant,
  isPlatformOperator,
  OrganisationScope,
  Roles,
  ZodQuery,
} from '@divit/service-kit';
import type { Principal } from '@divit/service-kit';
import {
  ACCESS_LOG_MAX_PAGE,
  AccessLogReaderScope,
  AccessLogService,
  decodeCursor,
} from './access-log.service';
import { AccessLogPage, accessLogPageView } from './access-log.views';

/**
 * What a service that keeps registration's routes and memberships (an `OrganisationScope` provider, ADR 0018)
 * keeps from coordinators in `GET /access-log`: entries about these resource types are read only by the data's
 * own organisation. Provide it (`{ provide: ACCESS_LOG_COORDINATOR_POLICY, useValue: {...} }`) in any module.
 */
export interface AccessLogCoordinatorPolicy {
  withheldResourceTypes: readonly string[];
}
export const ACCESS_LOG_COORDINATOR_POLICY = Symbol('ACCESS_LOG_COORDINATOR_POLICY');

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
 * (docs/adr/0014, docs/adr/0020). In a service that keeps registration's routes and memberships (it provides
 * `OrganisationScope`: income-retrieval, retention-cleanup), a route B/C coordinator also reads the entries by or
 * about the organisations it coordinates and their current members, as it reads their records there (ADR 0018),
 * except resource types the service withholds ({@link ACCESS_LOG_COORDINATOR_POLICY}). Every read is recorded.
 */
@Controller('access-log')
export class AccessLogController {
  private coordinatorScope?: { scope: OrganisationScope; policy: AccessLogCoordinatorPolicy } | null;

  constructor(
    private readonly log: AccessLogService,
    private readonly dataSource: DataSource,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** Entries by or about the caller's organisation (every entry for the platform operator), newest first, paged. */
  @Get()
  @Roles('auditor', 'admin', 'platform-operator')
  @ApiResult(accessLogPageView, { description: 'A page of entries, newest first.' })
  async list(
    @CurrentPrincipal() principal: Principal,
    @ZodQuery(accessLogQuery) query: AccessLogQueryDto,
  ): Promise<AccessLogPage> {
    const page = await this.log.query(principal, query, await this.readerScope(principal));
    await this.log.record({
      principal,
      action: 'ACCESS_LOG_READ',
      resourceType: 'access-log',
      purpose: 'AUDIT',
    });
    return page;
  }

  /** The coordinator's reader scope where the service keeps routes and memberships; else none (own organisation). */
  private async readerScope(principal: Principal): Promise<AccessLogReaderScope | undefined> {
    if (isPlatformOperator(principal)) return undefined;
    if (this.coordinatorScope === undefined) {
      const find = <T>(token: unknown): T | undefined => {
        try {
          return this.moduleRef.get<T>(token as never, { strict: false });
        } catch {
          return undefined;
        }
      };
      const scope = find<OrganisationScope>(OrganisationScope);
      this.coordinatorScope = scope
        ? {
            scope,
            policy: find<AccessLogCoordinatorPolicy>(ACCESS_LOG_COORDINATOR_POLICY) ?? {
              withheldResourceTypes: [],
            },
          }
        : null;
    }
    if (!this.coordinatorScope) return undefined;
    const { scope, policy } = this.coordinatorScope;
    return {
      organisations: await scope.visibleOrganisationIds(this.dataSource.manager, principal),
      withheldResourceTypes: policy.withheldResourceTypes,
    };
  }
}
