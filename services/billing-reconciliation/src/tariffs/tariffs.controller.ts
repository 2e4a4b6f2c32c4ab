import { Controller, Get, Put } from '@nestjs/common';
import { ApiResult, CurrentPrincipal, Roles, ZodBody } from '@divit/service-kit';
import type { Principal } from '@divit/service-kit';
import { tariffListResponseSchema, TariffResponse, tariffResponseSchema } from './dto/tariff-response.dto';
import { Tariff, tariffSchema, TariffsService } from './tariffs.service';

@Controller('tariffs')
export class TariffsController {
  constructor(private readonly tariffs: TariffsService) {}

  /** Tariffs in force and planned (file values are marked assumption: the real tariffs are not public). */
  @Get()
  @Roles('admin', 'finance', 'auditor', 'coordinator', 'platform-operator')
  @ApiResult(tariffListResponseSchema, { description: 'Every tariff, by issuer, unit and start date.' })
  list(): Promise<TariffResponse[]> {
    return this.tariffs.list();
  }

  /**
   * Sets (or corrects) a date-versioned tariff; overrides the data file for the same issuer, unit and date.
   * Tariffs apply to every organisation: the platform operator only.
   */
  @Put()
  @Roles('platform-operator')
  @ApiResult(tariffResponseSchema, { description: 'The tariff as set (source ADMIN).' })
  set(
    @CurrentPrincipal() principal: Principal,
    @ZodBody(tariffSchema) body: Tariff,
  ): Promise<TariffResponse> {
    return this.tariffs.set(principal, body);
  }
}
