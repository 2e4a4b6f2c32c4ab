import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CurrentPrincipal, Roles, ZodValidationPipe } from '@divit/service-kit';
import type { Principal } from '@divit/service-kit';
import {
  allocationIdParam,
  CloseAllocationDto,
  closeAllocationSchema,
  RecordAllocationDto,
  recordAllocationSchema,
} from './dto/record-allocation.dto';
import { AllocationClosureView, AllocationsService, AllocationView } from './allocations.service';

@Controller('allocations')
export class AllocationsController {
  constructor(private readonly allocations: AllocationsService) {}

  /** Records an allocation (toewijzing) sent by the allocation system. */
  @Post()
  @HttpCode(201)
  @Roles('allocation-system', 'admin')
  record(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodValidationPipe(recordAllocationSchema)) body: RecordAllocationDto,
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
  close(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodValidationPipe(allocationIdParam)) params: { id: string },
    @Body(new ZodValidationPipe(closeAllocationSchema)) body: CloseAllocationDto,
  ): Promise<AllocationClosureView> {
    return this.allocations.close(principal, params.id, body.outcome);
  }

  /** An allocation in the caller's scope; stated identities only for admin and the allocation system. */
  @Get(':id')
  @Roles('allocation-system', 'admin', 'coordinator', 'member', 'auditor')
  get(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodValidationPipe(allocationIdParam)) params: { id: string },
  ): Promise<AllocationView> {
    return this.allocations.get(principal, params.id);
  }
}
