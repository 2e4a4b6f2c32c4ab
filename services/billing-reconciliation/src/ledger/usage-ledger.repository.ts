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
   */
  async insertMany(em: EntityManager, usages: readonly UsageRecorded[]): Promise<number> {
    if (usages.length === 0) return 0;
    const rows = await em.query<{ usage_id: string }[]>(
      `INSERT INTO usage_records
         (usage_id, unit, organisation_id, letting_corporation_id, allocation_id, purpose, occurred_at, late)
       SELECT u.usage_id, u.unit, u.organisation_id, u.letting_corporation_id, u.allocation_id, u.purpose,
              u.occurred_at,
              EXISTS (SELECT 1 FROM closed_period_orgs c
                       WHERE c.organisation_id = u.organisation_id
                         AND ${amsterdamDay('u.occurred_at')} BETWEEN c.period_start AND c.period_end)
         FROM unnest($1::uuid[], $2::varchar[], $3::uuid[], $4::uuid[], $5::uuid[], $6::varchar[], $7::timestamptz[])
              AS u(usage_id, unit, organisation_id, letting_corporation_id, allocation_id, purpose, occurred_at)
       ON CONFLICT (usage_id) DO NOTHING
       RETURNING usage_id`,
      [
        usages.map((u) => u.usageId),
        usages.map((u) => u.unit),
        usages.map((u) => u.organisationId),
        usages.map((u) => u.lettingCorporationId),
        usages.map((u) => u.allocationId),
        usages.map((u) => u.purpose),
        usages.map((u) => new Date(u.occurredAt).toISOString()),
      ],
    );
    return rows.length;
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
