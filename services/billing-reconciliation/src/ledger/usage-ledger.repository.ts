import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { UsageRecorded } from '@divit/contracts';

/** Amsterdam calendar day of an instant, as SQL (the invoice period is a range of calendar days). */
export const amsterdamDay = (column: string) => `(${column} AT TIME ZONE 'Europe/Amsterdam')::date`;

/** The only writer of usage_records: set-based, exactly once by usage id. */
@Injectable()
export class UsageLedgerRepository {
  /**
   * Inserts new usage rows; a usage id already in the ledger is skipped (primary key), so redelivery and
   * replay count once even when the inbox has been cleaned. Usage for a period that is closed for its
   * organisation is kept and flagged late. Returns the number of rows actually added.
   *
   * One statement per chunk. The late check is classified per chunk first: an uncorrelated sub-plan (run once)
   * asks whether any closed period of the chunk's organisations overlaps the chunk's days at all (UTC days
   * widened by one either side, so the Amsterdam calendar day is always inside); only then is each row checked
   * against closed_period_orgs. Same statement, same snapshot as the per-row check it short-cuts.
   */
  async insertMany(em: EntityManager, usages: readonly UsageRecorded[]): Promise<number> {
    if (usages.length === 0) return 0;
    const ids = new Array<string>(usages.length);
    const units = new Array<string>(usages.length);
    const organisations = new Array<string>(usages.length);
    const letting = new Array<string | null>(usages.length);
    const allocations = new Array<string | null>(usages.length);
    const purposes = new Array<string>(usages.length);
    const occurred = new Array<string>(usages.length);
    const distinctOrganisations = new Set<string>();
    let min = Infinity;
    let max = -Infinity;
    usages.forEach((u, i) => {
      ids[i] = u.usageId;
      units[i] = u.unit;
      organisations[i] = u.organisationId;
      letting[i] = u.lettingCorporationId;
      allocations[i] = u.allocationId;
      purposes[i] = u.purpose;
      occurred[i] = new Date(u.occurredAt).toISOString();
      distinctOrganisations.add(u.organisationId);
      if (u.occurredAt < min) min = u.occurredAt;
      if (u.occurredAt > max) max = u.occurredAt;
    });
    const DAY = 86_400_000;
    const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const rows = await em.query<{ added: number }[]>(
      `WITH added AS (
         INSERT INTO usage_records
           (usage_id, unit, organisation_id, letting_corporation_id, allocation_id, purpose, occurred_at, late)
         SELECT u.usage_id, u.unit, u.organisation_id, u.letting_corporation_id, u.allocation_id, u.purpose,
                u.occurred_at,
                CASE WHEN NOT EXISTS (SELECT 1 FROM closed_period_orgs c
                                       WHERE c.organisation_id = ANY($8::uuid[])
                                         AND c.period_end >= $9::date AND c.period_start <= $10::date)
                     THEN false
                     ELSE EXISTS (SELECT 1 FROM closed_period_orgs c
                                   WHERE c.organisation_id = u.organisation_id
                                     AND ${amsterdamDay('u.occurred_at')} BETWEEN c.period_start AND c.period_end)
                END
           FROM unnest($1::uuid[], $2::varchar[], $3::uuid[], $4::uuid[], $5::uuid[], $6::varchar[], $7::timestamptz[])
                AS u(usage_id, unit, organisation_id, letting_corporation_id, allocation_id, purpose, occurred_at)
         ON CONFLICT (usage_id) DO NOTHING
         RETURNING 1)
       SELECT count(*)::int AS added FROM added`,
      [
        ids,
        units,
        organisations,
        letting,
        allocations,
        purposes,
        occurred,
        [...distinctOrganisations],
        utcDay(min - DAY),
        utcDay(max + DAY),
      ],
    );
    return rows[0]?.added ?? 0;
  }

  /** Late usage: arrived while its period was closed (kept, reported, counted when the period re-opens). */
  async late(
    em: EntityManager,
    organisationIds: readonly string[],
    periodStart: string,
    periodEnd: string,
  ): Promise<
    { usageId: string; unit: string; organisationId: string; occurredAt: string; receivedAt: string }[]
  > {
    const rows = await em.query<
      { usage_id: string; unit: string; organisation_id: string; occurred_at: Date; received_at: Date }[]
    >(
      `SELECT usage_id, unit, organisation_id, occurred_at, received_at FROM usage_records
        WHERE late AND organisation_id = ANY($1::uuid[])
          AND occurred_at >= ($2::date)::timestamp AT TIME ZONE 'Europe/Amsterdam'
          AND occurred_at < ($3::date + 1)::timestamp AT TIME ZONE 'Europe/Amsterdam'
        ORDER BY occurred_at, usage_id`,
      [organisationIds, periodStart, periodEnd],
    );
    return rows.map((r) => ({
      usageId: r.usage_id,
      unit: r.unit,
      organisationId: r.organisation_id,
      occurredAt: r.occurred_at.toISOString(),
      receivedAt: r.received_at.toISOString(),
    }));
  }
}
