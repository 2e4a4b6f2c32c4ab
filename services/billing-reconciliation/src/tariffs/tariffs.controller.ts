import { Body, Controller, Get, Put } from '@nestjs/common';
import { CurrentPrincipal, Roles, ZodValidationPipe } from '@divit/service-kit';
import type { Principal } from '@divit/service-kit';
import { Tariff, tariffSchema, TariffsService, TariffView } from './tariffs.service';

@Controller('tariffs')
export class TariffsController {
  constructor(private readonly tariffs: TariffsService) {}

  /** Tariffs in force and planned (file values are marked assumption: the real tariffs are not public). */
  @Get()
  @Roles('admin', 'finance', 'auditor', 'coordinator', 'platform-operator')
  list(): Promise<TariffView[]> {
    return this.tariffs.list();
  }

  /**
   * Sets (or corrects) a date-versioned tariff; overrides the data file for the same issuer, unit and date.
   * Tariffs apply to every organisation: the platform operator only.
   */
  @Put()
  @Roles('platform-operator')
  set(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodValidationPipe(tariffSchema)) body: Tariff,
  ): Promise<TariffView> {
    return this.tariffs.set(principal, body);
  }
}
