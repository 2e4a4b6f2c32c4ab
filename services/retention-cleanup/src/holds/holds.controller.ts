import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CurrentPrincipal, Roles, ZodValidationPipe } from '@divit/service-kit';
import type { Principal } from '@divit/service-kit';
import { CreateHoldDto, createHoldSchema, holdIdParam, LiftHoldDto, liftHoldSchema } from './dto/hold.dto';
import { HoldAuditView, HoldsService, HoldView } from './holds.service';
import type { IssuedErasure } from '../erasures/erasures.service';

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
  create(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodValidationPipe(createHoldSchema)) body: CreateHoldDto,
  ): Promise<HoldView> {
    return this.holds.create(principal, body);
  }

  /** Every hold, newest first. */
  @Get()
  @Roles('admin', 'auditor', 'platform-operator')
  list(@CurrentPrincipal() principal: Principal): Promise<HoldView[]> {
    return this.holds.list(principal);
  }

  /** The append-only audit of creating and lifting holds. */
  @Get('audit')
  @Roles('admin', 'auditor', 'platform-operator')
  audit(@CurrentPrincipal() principal: Principal): Promise<HoldAuditView[]> {
    return this.holds.audit(principal);
  }

  @Get(':id')
  @Roles('admin', 'auditor', 'platform-operator')
  get(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodValidationPipe(holdIdParam)) params: { id: string },
  ): Promise<HoldView> {
    return this.holds.get(params.id, principal);
  }

  /** Lifts a hold; the erasures it kept back are issued at once and listed in `released`. */
  @Post(':id/lift')
  @HttpCode(200)
  @Roles('admin', 'platform-operator')
  lift(
    @CurrentPrincipal() principal: Principal,
    @Param(new ZodValidationPipe(holdIdParam)) params: { id: string },
    @Body(new ZodValidationPipe(liftHoldSchema)) body: LiftHoldDto,
  ): Promise<HoldView & { released: IssuedErasure[] }> {
    return this.holds.lift(principal, params.id, body);
  }
}
