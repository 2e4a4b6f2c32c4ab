import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { z } from 'zod';
import { UsageUnitSymbols } from '@divit/contracts';
import type { Principal } from '@divit/service-kit';
import { BILLING_CONFIG } from '../config/billing.tokens';
import type { BillingConfig } from '../config/billing.config';
import { calendarDate } from '@divit/service-kit';
import { TariffError } from './tariffs.errors';
import { TariffsRepository } from './tariffs.repository';

/** The years a tariff may start in. */
export const TARIFF_VALID_FROM = { min: '2024-01-01', max: '2099-12-31' } as const;

export const tariffSchema = z.strictObject({
  issuer: z.string().regex(/^[A-Z0-9_-]{2,50}$/, 'upper-case letters, digits, _ or - (2-50)'),
  unit: z.enum(UsageUnitSymbols),
  /** From the DIV-it start (2024-01-01) to 2099-12-31: a tariff in year 9999 is refused. */
  validFrom: calendarDate({ min: TARIFF_VALID_FROM.min, max: TARIFF_VALID_FROM.max }),
  /** Price per unit in thousandths of a euro cent (35000 = € 0.35). */
  unitPriceMillicents: z.number().int().min(0).max(100_000_000),
});
export type Tariff = z.infer<typeof tariffSchema>;
export interface TariffView extends Tariff {
  source: 'FILE' | 'ADMIN';
  assumption: boolean;
}

const fileSchema = z.object({ assumption: z.boolean().optional(), tariffs: z.array(tariffSchema) });

/** The shipped data file, relative to the service root (works from src/ and dist/). */
export const DEFAULT_TARIFFS_FILE = join(__dirname, '..', '..', 'config', 'tariffs.json');

/** Date-versioned tariffs per issuer and unit: the shipped data file, overridden by rows set through the admin API. */
@Injectable()
export class TariffsService {
  private readonly fromFile: TariffView[];

  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: TariffsRepository,
    @Inject(BILLING_CONFIG) config: BillingConfig,
  ) {
    this.fromFile = loadTariffFile(config.BILLING_TARIFFS_FILE ?? DEFAULT_TARIFFS_FILE);
  }

  async list(em: EntityManager = this.dataSource.manager): Promise<TariffView[]> {
    const rows = await this.repository.list(em);
    const merged = new Map<string, TariffView>();
    for (const t of this.fromFile) merged.set(`${t.issuer}|${t.unit}|${t.validFrom}`, t);
    for (const r of rows)
      merged.set(`${r.issuer}|${r.unit}|${r.validFrom}`, { ...r, source: 'ADMIN', assumption: false });
    return [...merged.values()].sort(
      (a, b) =>
        a.issuer.localeCompare(b.issuer) ||
        a.unit.localeCompare(b.unit) ||
        a.validFrom.localeCompare(b.validFrom),
    );
  }

  async set(principal: Principal, tariff: Tariff): Promise<TariffView> {
    await this.repository.upsert(this.dataSource.manager, tariff, principal.subject);
    return { ...tariff, source: 'ADMIN', assumption: false };
  }

  async issuers(em?: EntityManager): Promise<Set<string>> {
    return new Set((await this.list(em)).map((t) => t.issuer));
  }

  /** The tariff in force on `date` for the issuer and unit. */
  async priceOn(issuer: string, unit: Tariff['unit'], date: string, em?: EntityManager): Promise<TariffView> {
    const found = (await this.list(em))
      .filter((t) => t.issuer === issuer && t.unit === unit && t.validFrom <= date)
      .pop();
    if (!found)
      throw new TariffError('TARIFF_NOT_FOUND', `no ${unit} tariff of issuer ${issuer} in force on ${date}`, {
        issuer,
        unit,
        date,
      });
    return found;
  }
}

export function loadTariffFile(path: string): TariffView[] {
  let parsed: z.infer<typeof fileSchema>;
  try {
    parsed = fileSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch {
    throw new TariffError('TARIFF_FILE_INVALID', `tariff file ${path} is missing or invalid`);
  }
  return parsed.tariffs.map((t) => ({ ...t, source: 'FILE', assumption: parsed.assumption ?? false }));
}
