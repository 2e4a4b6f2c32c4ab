import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { z } from 'zod';
import { ApiResult, CurrentPrincipal, Roles, ZodQuery } from '@divit/service-kit';
import type { Principal } from '@divit/service-kit';
import { ErasuresService } from './erasures.service';
import {
  ErasureView,
  erasureView,
  ErasuresQuery,
  erasuresQuery,
  OverdueErasuresView,
  overdueErasuresView,
  SweepResult,
  sweepResultView,
} from './dto/erasure.dto';
import type { ErasureRow } from './erasures.repository';
import { ReaderScope } from '../tenancy/reader-scope';

export type { ErasureView };

/**
 * The due-erasure schedule, overdue erasures and sweeps. An organisation's admin and auditor read its own
 * organisation's erasures and, as a route B/C coordinator, those of the organisations it coordinates and their
 * current members (ReaderScope, docs/adr/0018); the platform operator every one.
 */
@Controller()
export class ErasuresController {
  constructor(
    private readonly erasures: ErasuresService,
    private readonly readers: ReaderScope,
  ) {}

  /** Scheduled, issued and completed erasures (first 1000 by due time), optionally for one subject or status. */
  @Get('erasures')
  @Roles('admin', 'auditor', 'platform-operator')
  @ApiResult(z.array(erasureView))
  async list(
    @CurrentPrincipal() principal: Principal,
    @ZodQuery(erasuresQuery) query: ErasuresQuery,
  ): Promise<ErasureView[]> {
    const organisationIds = await this.readers.organisations(principal);
    return (await this.erasures.list({ ...query, ...(organisationIds ? { organisationIds } : {}) })).map(
      toView,
    );
  }

  /** Erasures due and not acknowledged for longer than ERASURE_OVERDUE_AFTER_SECONDS (held ones excluded). */
  @Get('erasures/overdue')
  @Roles('admin', 'auditor', 'platform-operator')
  @ApiResult(overdueErasuresView)
  async overdue(@CurrentPrincipal() principal: Principal): Promise<OverdueErasuresView> {
    const rows = (await this.erasures.overdue(await this.readers.organisations(principal))).map(toView);
    return { thresholdSeconds: this.erasures.overdueThreshold, count: rows.length, erasures: rows };
  }

  /** Runs one sweep now (age-based commands, due erasures, re-sends) and returns what it issued. */
  @Post('sweeps')
  @HttpCode(200)
  @Roles('platform-operator')
  @ApiResult(sweepResultView, { description: 'What the sweep issued.' })
  sweep(): Promise<SweepResult> {
    return this.erasures.sweep();
  }
}

function toView(r: ErasureRow & { held?: boolean }): ErasureView {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    erasureId: r.erasureId,
    category: r.category,
    targetService: r.targetService,
    reason: r.reason,
    trigger: r.trigger,
    policyId: r.policyId,
    organisationId: r.organisationId,
    registrationId: r.registrationId,
    subjectId: r.subjectId,
    allocationId: r.allocationId,
    recordedBefore: iso(r.recordedBefore),
    triggerAt: r.triggerAt.toISOString(),
    dueAt: r.dueAt.toISOString(),
    status: r.status,
    ...(r.held === undefined ? {} : { held: r.held }),
    firstSentAt: iso(r.firstSentAt),
    lastSentAt: iso(r.lastSentAt),
    sendCount: r.sendCount,
    completedAt: iso(r.completedAt),
    erasedCount: r.erasedCount,
  };
}
