import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { Tariff } from './tariffs.service';

/** A tariff set through the admin API, as stored. */
export interface StoredTariff {
  issuer: string;
  unit: Tariff['unit'];
  /** YYYY-MM-DD */
  validFrom: string;
  unitPriceMillicents: number;
}

/** The tariffs set through the admin API (ADR 0025: the only place that queries tariffs). */
@Injectable()
export class TariffsRepository {
  async list(em: EntityManager): Promise<StoredTariff[]> {
    const rows = await em.query<
      { issuer: string; unit: Tariff['unit']; valid_from: string; unit_price_millicents: string }[]
    >(
      `SELECT issuer, unit, to_char(valid_from, 'YYYY-MM-DD') AS valid_from, unit_price_millicents FROM tariffs`,
    );
    return rows.map((r) => ({
      issuer: r.issuer,
      unit: r.unit,
      validFrom: r.valid_from,
      unitPriceMillicents: Number(r.unit_price_millicents),
    }));
  }

  /** Sets (or corrects) the tariff for its issuer, unit and date. */
  async upsert(em: EntityManager, tariff: Tariff, setBy: string): Promise<void> {
    await em.query(
      `INSERT INTO tariffs (issuer, unit, valid_from, unit_price_millicents, set_by) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (issuer, unit, valid_from) DO UPDATE
         SET unit_price_millicents = EXCLUDED.unit_price_millicents, set_by = EXCLUDED.set_by, set_at = now()`,
      [tariff.issuer, tariff.unit, tariff.validFrom, tariff.unitPriceMillicents, setBy],
    );
  }
}
