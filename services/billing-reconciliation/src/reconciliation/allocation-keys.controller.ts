import { Controller, Get, Put } from '@nestjs/common';
import { z } from 'zod';
import { ApiProblems, ApiResult, CurrentPrincipal, Roles, ZodBody, ZodParams } from '@divit/service-kit';
import type { Principal } from '@divit/service-kit';
import { isoDate } from '../common/dates';
import { AllocationKeyResponse, allocationKeyListResponseSchema } from './dto/reconciliation-response.dto';
import { ReconciliationService } from './reconciliation.service';

const payerParam = z.strictObject({ payerOrganisationId: z.uuid() });
const keySchema = z
  .strictObject({
    effectiveFrom: isoDate,
    basis: z.enum(['HOUSING_STOCK', 'ALLOCATIONS', 'EQUAL', 'FIXED_PERCENTAGES']),
    /** Only for FIXED_PERCENTAGES: basis points per member (100.00% = 10000). */
    fixedPercentages: z
      .array(
        z.strictObject({ memberOrganisationId: z.uuid(), basisPoints: z.number().int().min(0).max(10_000) }),
      )
      .optional(),
  })
  .refine((k) => (k.basis === 'FIXED_PERCENTAGES') === (k.fixedPercentages !== undefined), {
    path: ['fixedPercentages'],
    message: 'required for FIXED_PERCENTAGES and only there',
  });

@Controller('allocation-keys')
export class AllocationKeysController {
  constructor(private readonly reconciliation: ReconciliationService) {}

  @Get(':payerOrganisationId')
  @Roles('coordinator', 'finance', 'auditor', 'admin', 'platform-operator')
  @ApiResult(allocationKeyListResponseSchema, { description: 'Every allocation key of the payer, by date.' })
  @ApiProblems('FORBIDDEN_ROLE', 'FORBIDDEN_SCOPE')
  list(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(payerParam) params: z.infer<typeof payerParam>,
  ): Promise<AllocationKeyResponse[]> {
    return this.reconciliation.keys(principal, params.payerOrganisationId);
  }

  /** The coordinator or admin of the payer itself, or the platform operator, sets the key from a date. */
  @Put(':payerOrganisationId')
  @Roles('coordinator', 'admin', 'platform-operator')
  @ApiResult(allocationKeyListResponseSchema, {
    description: 'Every allocation key of the payer, the new one included.',
  })
  @ApiProblems(
    'FORBIDDEN_ROLE',
    'FORBIDDEN_SCOPE',
    'PAYER_UNKNOWN',
    'NOT_A_COORDINATOR',
    'FIXED_PERCENTAGES_INVALID',
  )
  set(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(payerParam) params: z.infer<typeof payerParam>,
    @ZodBody(keySchema) body: z.infer<typeof keySchema>,
  ): Promise<AllocationKeyResponse[]> {
    return this.reconciliation.setKey(principal, params.payerOrganisationId, {
      effectiveFrom: body.effectiveFrom,
      basis: body.basis,
      fixedBasisPoints: body.fixedPercentages
        ? Object.fromEntries(body.fixedPercentages.map((f) => [f.memberOrganisationId, f.basisPoints]))
        : null,
    });
  }
}
