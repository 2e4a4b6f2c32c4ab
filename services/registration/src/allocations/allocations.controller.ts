import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiProblems, ApiResult, CurrentPrincipal, Roles, ZodBody, ZodParams } from '@divit/service-kit';
import type { Principal } from '@divit/service-kit';
import {
  AcceptAllocationDto,
  acceptAllocationSchema,
  allocationIdParam,
  CloseAllocationDto,
  closeAllocationSchema,
  RecordAllocationDto,
  recordAllocationSchema,
} from './dto/record-allocation.dto';
import {
  AllocationAcceptanceView,
  allocationAcceptanceViewSchema,
  AllocationClosureView,
  allocationClosureViewSchema,
  AllocationView,
  allocationViewSchema,
} from './dto/allocation-view.dto';
import { AllocationsService } from './allocations.service';

@Controller('allocations')
export class AllocationsController {
  constructor(private readonly allocations: AllocationsService) {}

  /** Records an allocation (toewijzing) sent by the allocation system. */
  @Post()
  @HttpCode(201)
  @Roles('allocation-system', 'admin')
  @ApiResult(allocationViewSchema, { status: 201, description: 'The allocation as recorded.' })
  @ApiProblems(
    'ALLOCATION_EXISTS',
    'ALLOCATED_REGISTRATION_NOT_ACTIVE',
    'ALLOCATED_REGISTRATION_UNKNOWN',
    'LETTING_CORPORATION_NOT_A_CORPORATION',
    'LETTING_CORPORATION_NOT_A_MEMBER',
    'LETTING_CORPORATION_NOT_THE_ORGANISATION',
    'LETTING_CORPORATION_UNKNOWN',
    'NO_ROUTE_AT_LEASE_START',
    'RENT_ABOVE_LIBERALISATION_LIMIT',
  )
  record(
    @CurrentPrincipal() principal: Principal,
    @ZodBody(recordAllocationSchema) body: RecordAllocationDto,
  ): Promise<AllocationView> {
    return this.allocations.record(principal, body);
  }

  /**
   * Closes an allocation: LEASE_SIGNED or ENDED_WITHOUT_LEASE (drives retention of the income shared for it).
   * Repeating the same outcome answers the first closure; another outcome is 409.
   */
  @Post(':id/closure')
  @HttpCode(200)
  @Roles('allocation-system', 'admin')
  @ApiResult(allocationClosureViewSchema, { description: 'The closure (the first one, when repeated).' })
  @ApiProblems('ALLOCATION_NOT_FOUND', 'ALLOCATION_ALREADY_CLOSED')
  close(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(allocationIdParam) params: { id: string },
    @ZodBody(closeAllocationSchema) body: CloseAllocationDto,
  ): Promise<AllocationClosureView> {
    return this.allocations.close(principal, params.id, body.outcome);
  }

  /**
   * The home seeker accepted the offered dwelling: from that day the letting corporation is controller on routes B
   * and C (ADR 0035). Recorded by the registration's organisation or its coordinator; repeating the same day answers
   * the first acceptance, another day is 409.
   */
  @Post(':id/acceptance')
  @HttpCode(200)
  @Roles('allocation-system', 'admin', 'coordinator')
  @ApiResult(allocationAcceptanceViewSchema, {
    description: 'The acceptance (the first one, when repeated) with the controller before and from it.',
  })
  @ApiProblems(
    'ALLOCATION_NOT_FOUND',
    'ACCEPTANCE_BY_ALLOCATING_ORGANISATION_ONLY',
    'ALLOCATION_ALREADY_ACCEPTED',
    'ALLOCATION_ALREADY_CLOSED',
    'ACCEPTANCE_BEFORE_ALLOCATION',
    'LETTING_CORPORATION_NOT_A_MEMBER',
    'NO_ROUTE_AT_ACCEPTANCE',
  )
  accept(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(allocationIdParam) params: { id: string },
    @ZodBody(acceptAllocationSchema) body: AcceptAllocationDto,
  ): Promise<AllocationAcceptanceView> {
    return this.allocations.accept(principal, params.id, body.acceptedOn);
  }

  /** An allocation in the caller's scope; stated identities only for admin and the allocation system. */
  @Get(':id')
  @Roles('allocation-system', 'admin', 'coordinator', 'member', 'auditor')
  @ApiResult(allocationViewSchema)
  @ApiProblems('ALLOCATION_NOT_FOUND')
  get(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(allocationIdParam) params: { id: string },
  ): Promise<AllocationView> {
    return this.allocations.get(principal, params.id);
  }
}
