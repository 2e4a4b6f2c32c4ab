import { Controller, Get, HttpCode, Inject, Post, Put } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import {
  ApiProblems,
  ApiResult,
  CurrentPrincipal,
  OrganisationScope,
  Roles,
  ZodBody,
  ZodParams,
} from '@divit/service-kit';
import type { Principal } from '@divit/service-kit';
import { AccessLogService } from '@divit/access-log';
import { ExpiryScheduler } from './expiry.scheduler';
import { HouseholdsRepository } from './households.repository';
import { IncomeRetrievalError } from './households.errors';
import { inCoordinatorScope } from './scope';
import {
  AllocationStatusView,
  allocationStatusViewSchema,
  DecisionView,
  ExpirySweepView,
  expirySweepViewSchema,
  MemberRequestView,
  PensionAgeView,
  pensionAgeViewSchema,
} from './households.schemas';

export const allocationIdParam = z.strictObject({ allocationId: z.uuid() });
export const pensionAgeSchema = z.strictObject({
  /** Whether the household counts as pension age (AOW) for passend toewijzen. */
  pensionAge: z.boolean(),
});

export type { AllocationStatusView, MemberRequestView };

/** HTTP edge: request progress and the decision (no income), the pension-age statement, the expiry sweep. */
@Controller()
export class HouseholdsController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: HouseholdsRepository,
    private readonly accessLog: AccessLogService,
    @Inject(ExpiryScheduler) private readonly expiry: ExpiryScheduler,
    private readonly scope: OrganisationScope,
  ) {}

  /** Where each member's request stands and the decision, if made. Conclusions only: no income. */
  @Get('allocations/:allocationId')
  @Roles('allocation-system', 'coordinator', 'member', 'auditor', 'admin')
  @ApiResult(allocationStatusViewSchema)
  @ApiProblems('ALLOCATION_NOT_FOUND')
  async get(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(allocationIdParam) params: { allocationId: string },
  ): Promise<AllocationStatusView> {
    const em = this.dataSource.manager;
    const a = await this.repo.findAllocation(em, params.allocationId);
    if (!a || !(await inCoordinatorScope(this.scope, em, principal, a)))
      throw new IncomeRetrievalError('ALLOCATION_NOT_FOUND', 'no allocation with this id in your scope');
    const [members, decision, pensionAge] = await Promise.all([
      this.repo.memberRequests(em, a.allocationId),
      this.repo.findDecision(em, a.allocationId),
      this.repo.pensionAge(em, a.allocationId),
    ]);
    await this.accessLog.record({
      principal,
      action: 'ALLOCATION_STATUS_READ',
      resourceType: 'allocation',
      resourceId: a.allocationId,
      organisationId: a.organisationId,
      registrationId: a.registrationId,
      allocationId: a.allocationId,
      purpose: 'REQUEST_PROGRESS',
    });
    // The repository rows type exemptionGroup, outcome, alternativeRouteReason and passendCategory as string; the
    // stored values are the contracts' symbols (written from AllocationRecorded and IncomeDecisionMade).
    return {
      allocationId: a.allocationId,
      registrationId: a.registrationId,
      organisationId: a.organisationId,
      lettingCorporationId: a.lettingCorporationId,
      leaseStartDate: a.leaseStartDate,
      householdSize: a.householdSize,
      exemptionGroup: a.exemptionGroup as AllocationStatusView['exemptionGroup'],
      pensionAge: pensionAge ?? null,
      awaitingNorms:
        !decision && a.awaitingNormsYear !== null
          ? { leaseYear: a.awaitingNormsYear, since: (a.awaitingNormsSince as Date).toISOString() }
          : null,
      members: members.map((m) => ({
        memberId: m.memberId,
        role: m.role,
        status: m.status,
        failure: m.failure,
        deadlineAt: m.deadlineAt.toISOString(),
        updatedAt: m.updatedAt.toISOString(),
        withdrawnAfterDecisionAt: m.withdrawnAfterDecisionAt?.toISOString() ?? null,
      })),
      decision: decision
        ? {
            decisionId: decision.decisionId,
            outcome: decision.outcome as DecisionView['outcome'],
            alternativeRouteReason: decision.alternativeRouteReason as DecisionView['alternativeRouteReason'],
            failedMemberId: decision.failedMemberId,
            passendCategory: decision.passendCategory as DecisionView['passendCategory'],
            withinPassendLimit: decision.withinPassendLimit,
            passend: decision.passend,
            incomeYear: decision.incomeYear,
            normVersion: decision.normVersion,
            decidedAt: decision.decidedAt.toISOString(),
            evidenceReference: decision.evidenceReference,
          }
        : null,
    };
  }

  /**
   * States whether the household counts as pension age for passend toewijzen (the allocation contract has no
   * birth dates). Without a statement the test assumes "not pension age". Only before the decision.
   */
  @Put('allocations/:allocationId/pension-age')
  @Roles('allocation-system', 'admin')
  @ApiResult(pensionAgeViewSchema, { description: 'The statement as recorded.' })
  @ApiProblems('ALLOCATION_NOT_FOUND', 'ALLOCATION_EXEMPT', 'ALLOCATION_ALREADY_DECIDED')
  async statePensionAge(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(allocationIdParam) params: { allocationId: string },
    @ZodBody(pensionAgeSchema) body: { pensionAge: boolean },
  ): Promise<PensionAgeView> {
    return this.dataSource.transaction(async (em) => {
      await this.repo.lockAllocation(em, params.allocationId);
      const a = await this.repo.findAllocation(em, params.allocationId);
      if (!a || !(await inCoordinatorScope(this.scope, em, principal, a)))
        throw new IncomeRetrievalError('ALLOCATION_NOT_FOUND', 'no allocation with this id in your scope');
      if (a.exemptionGroup)
        throw new IncomeRetrievalError(
          'ALLOCATION_EXEMPT',
          'the household is exempt: there is no income test',
        );
      if (await this.repo.findDecision(em, a.allocationId))
        throw new IncomeRetrievalError(
          'ALLOCATION_ALREADY_DECIDED',
          'the income test has already been decided',
        );
      await this.repo.statePensionAge(em, a.allocationId, body.pensionAge, principal.subject);
      return { allocationId: a.allocationId, pensionAge: body.pensionAge };
    });
  }

  /** Runs the expiry sweep now, across every organisation (it also runs on a timer, EXPIRY_SWEEP_INTERVAL_MS). */
  @Post('admin/expiry-sweeps')
  @HttpCode(200)
  @Roles('platform-operator')
  @ApiResult(expirySweepViewSchema, { description: 'What the sweep expired.' })
  async sweep(): Promise<ExpirySweepView> {
    return this.expiry.sweep(new Date());
  }
}
