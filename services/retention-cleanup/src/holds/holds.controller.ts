import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { z } from 'zod';
import { ApiProblems, ApiResult, CurrentPrincipal, Roles, ZodBody, ZodParams } from '@divit/service-kit';
import type { Principal } from '@divit/service-kit';
import {
  CreateHoldDto,
  createHoldSchema,
  HoldAuditView,
  holdAuditView,
  holdIdParam,
  HoldView,
  holdView,
  LiftedHoldView,
  liftedHoldView,
  LiftHoldDto,
  liftHoldSchema,
} from './dto/hold.dto';
import { HoldsService } from './holds.service';

/**
 * Legal holds of one organisation: its admin places and lifts them, its auditors read them and their audit trail.
 * A hold for no organisation (platform-wide) and holds of any organisation: the platform operator. Another
 * organisation's hold answers 404, as a missing one; placing one for another organisation 403 (docs/adr/0014).
 */
@Controller('legal-holds')
export class HoldsController {
  constructor(private readonly holds: HoldsService) {}

  /** Places a hold on a subject and/or category (optionally one organisation), with reason, owner and expiry. */
  @Post()
  @HttpCode(201)
  @Roles('admin', 'platform-operator')
  @ApiResult(holdView, { status: 201, description: 'The hold, active.' })
  @ApiProblems('SUBJECT_NOT_FOUND', 'OUTSIDE_ORGANISATION')
  create(
    @CurrentPrincipal() principal: Principal,
    @ZodBody(createHoldSchema) body: CreateHoldDto,
  ): Promise<HoldView> {
    return this.holds.create(principal, body);
  }

  /** Every hold, newest first. */
  @Get()
  @Roles('admin', 'auditor', 'platform-operator')
  @ApiResult(z.array(holdView))
  list(@CurrentPrincipal() principal: Principal): Promise<HoldView[]> {
    return this.holds.list(principal);
  }

  /** The append-only audit of creating and lifting holds. */
  @Get('audit')
  @Roles('admin', 'auditor', 'platform-operator')
  @ApiResult(z.array(holdAuditView))
  audit(@CurrentPrincipal() principal: Principal): Promise<HoldAuditView[]> {
    return this.holds.audit(principal);
  }

  @Get(':id')
  @Roles('admin', 'auditor', 'platform-operator')
  @ApiResult(holdView)
  @ApiProblems('HOLD_NOT_FOUND')
  get(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(holdIdParam) params: { id: string },
  ): Promise<HoldView> {
    return this.holds.get(params.id, principal);
  }

  /** Lifts a hold; the erasures it kept back are issued at once and listed in `released`. */
  @Post(':id/lift')
  @HttpCode(200)
  @Roles('admin', 'platform-operator')
  @ApiResult(liftedHoldView, { description: 'The lifted hold and the erasures it released.' })
  @ApiProblems('HOLD_NOT_FOUND', 'OUTSIDE_ORGANISATION', 'HOLD_ALREADY_LIFTED')
  lift(
    @CurrentPrincipal() principal: Principal,
    @ZodParams(holdIdParam) params: { id: string },
    @ZodBody(liftHoldSchema) body: LiftHoldDto,
  ): Promise<LiftedHoldView> {
    return this.holds.lift(principal, params.id, body);
  }
}
