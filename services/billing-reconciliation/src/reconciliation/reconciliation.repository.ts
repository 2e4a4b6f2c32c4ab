import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { KeyBasis } from '../split/split';
import type { ReconciliationResult } from './reconciliation.types';

export interface UsageCountRow {
  unit: 'DIGID_LOGIN' | 'DATA_SHARING';
  /** The letting member when it is one of `members`, else null (not attributable). */
  member: string | null;
  counted: number;
  late: number;
}

export interface StoredKey {
  effectiveFrom: string;
  basis: Exclude<KeyBasis, 'OWN_INVOICE'>;
  fixedBasisPoints: Record<string, number> | null;
}

export interface ReconciliationRow {
  reconciliationId: string;
  payerOrganisationId: string;
  periodStart: string;
  periodEnd: string;
  version: number;
  status: string;
  closedAt: string;
  closedBy: string;
  reopenedAt: string | null;
  reopenReason: string | null;
  result: ReconciliationResult;
}

interface RawRow {
  reconciliation_id: string;
  payer_organisation_id: string;
  period_start: string;
  period_end: string;
  version: number;
  status: string;
  closed_at: Date;
  closed_by: string;
  reopened_at: Date | null;
  reopen_reason: string | null;
  result: ReconciliationResult;
}

const SELECT = `SELECT reconciliation_id, payer_organisation_id, to_char(period_start, 'YYYY-MM-DD') AS period_start,
  to_char(period_end, 'YYYY-MM-DD') AS period_end, version, status, closed_at, closed_by, reopened_at, reopen_reason, result
  FROM reconciliations`;

const toRow = (r: RawRow): ReconciliationRow => ({
  reconciliationId: r.reconciliation_id,
  payerOrganisationId: r.payer_organisation_id,
  periodStart: r.period_start,
  periodEnd: r.period_end,
  version: r.version,
  status: r.status,
  closedAt: r.closed_at.toISOString(),
  closedBy: r.closed_by,
  reopenedAt: r.reopened_at ? r.reopened_at.toISOString() : null,
  reopenReason: r.reopen_reason,
  result: r.result,
});

/** The only user of the period, reconciliation and settlement tables (and the ledger aggregate read). */
@Injectable()
export class ReconciliationRepository {
  /** Counted usage per unit and attributable member: ledger rows plus the aggregates of erased rows. */
  async usageCounts(
    em: EntityManager,
    organisationIds: readonly string[],
    members: readonly string[],
    periodStart: string,
    periodEnd: string,
  ): Promise<UsageCountRow[]> {
    const rows = await em.query<
      { unit: UsageCountRow['unit']; member: string | null; counted: string; late: string }[]
    >(
      `SELECT unit, CASE WHEN letting_corporation_id = ANY($2::uuid[]) THEN letting_corporation_id END AS member,
              sum(n) AS counted, sum(late_n) AS late
         FROM (
           SELECT unit, letting_corporation_id, count(*) AS n, count(*) FILTER (WHERE late) AS late_n
             FROM usage_records
            WHERE organisation_id = ANY($1::uuid[])
              AND occurred_at >= ($3::date)::timestamp AT TIME ZONE 'Europe/Amsterdam'
              AND occurred_at < ($4::date + 1)::timestamp AT TIME ZONE 'Europe/Amsterdam'
            GROUP BY unit, letting_corporation_id
           UNION ALL
           SELECT unit, letting_corporation_id, sum(usage_count), coalesce(sum(usage_count) FILTER (WHERE late), 0)
             FROM usage_aggregates
            WHERE organisation_id = ANY($1::uuid[]) AND usage_date BETWEEN $3::date AND $4::date
            GROUP BY unit, letting_corporation_id
         ) x
        GROUP BY 1, 2`,
      [organisationIds, members, periodStart, periodEnd],
    );
    return rows.map((r) => ({
      unit: r.unit,
      member: r.member,
      counted: Number(r.counted),
      late: Number(r.late),
    }));
  }

  async keyInForce(em: EntityManager, payer: string, periodStart: string): Promise<StoredKey | null> {
    const rows = await em.query<
      {
        effective_from: string;
        basis: StoredKey['basis'];
        fixed_basis_points: Record<string, number> | null;
      }[]
    >(
      `SELECT to_char(effective_from, 'YYYY-MM-DD') AS effective_from, basis, fixed_basis_points FROM allocation_keys
        WHERE payer_organisation_id = $1 AND effective_from <= $2::date ORDER BY effective_from DESC LIMIT 1`,
      [payer, periodStart],
    );
    const r = rows[0];
    return r
      ? { effectiveFrom: r.effective_from, basis: r.basis, fixedBasisPoints: r.fixed_basis_points }
      : null;
  }

  async keys(em: EntityManager, payer: string): Promise<StoredKey[]> {
    const rows = await em.query<
      {
        effective_from: string;
        basis: StoredKey['basis'];
        fixed_basis_points: Record<string, number> | null;
      }[]
    >(
      `SELECT to_char(effective_from, 'YYYY-MM-DD') AS effective_from, basis, fixed_basis_points FROM allocation_keys
        WHERE payer_organisation_id = $1 ORDER BY effective_from`,
      [payer],
    );
    return rows.map((r) => ({
      effectiveFrom: r.effective_from,
      basis: r.basis,
      fixedBasisPoints: r.fixed_basis_points,
    }));
  }

  async setKey(em: EntityManager, payer: string, key: StoredKey, setBy: string): Promise<void> {
    await em.query(
      `INSERT INTO allocation_keys (payer_organisation_id, effective_from, basis, fixed_basis_points, set_by)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (payer_organisation_id, effective_from) DO UPDATE
         SET basis = EXCLUDED.basis, fixed_basis_points = EXCLUDED.fixed_basis_points, set_by = EXCLUDED.set_by, set_at = now()`,
      [
        payer,
        key.effectiveFrom,
        key.basis,
        key.fixedBasisPoints ? JSON.stringify(key.fixedBasisPoints) : null,
        setBy,
      ],
    );
  }

  /** Locks the period row (creating it open when new) for the rest of the transaction. */
  async lockPeriod(
    em: EntityManager,
    payer: string,
    start: string,
    end: string,
  ): Promise<{ state: 'OPEN' | 'CLOSED'; currentVersion: number }> {
    await em.query(
      `INSERT INTO billing_periods (payer_organisation_id, period_start, period_end, state) VALUES ($1, $2, $3, 'OPEN')
       ON CONFLICT DO NOTHING`,
      [payer, start, end],
    );
    const rows = await em.query<{ state: 'OPEN' | 'CLOSED'; current_version: number }[]>(
      `SELECT state, current_version FROM billing_periods
        WHERE payer_organisation_id = $1 AND period_start = $2 AND period_end = $3 FOR UPDATE`,
      [payer, start, end],
    );
    const row = rows[0];
    if (!row) throw new Error('period row vanished');
    return { state: row.state, currentVersion: row.current_version };
  }

  async periodState(em: EntityManager, payer: string, start: string, end: string) {
    const rows = await em.query<{ state: string; current_version: number }[]>(
      `SELECT state, current_version FROM billing_periods WHERE payer_organisation_id = $1 AND period_start = $2 AND period_end = $3`,
      [payer, start, end],
    );
    return rows[0]
      ? { state: rows[0].state, currentVersion: rows[0].current_version }
      : { state: 'OPEN', currentVersion: 0 };
  }

  async saveClosed(
    em: EntityManager,
    row: {
      reconciliationId: string;
      version: number;
      route: string;
      toleranceCents: number;
      status: string;
      closedBy: string;
    },
    result: ReconciliationResult,
    settlements: {
      settlementId: string;
      memberId: string;
      amountCents: number;
      attributableCents: number;
      sharedCents: number;
      attributableUsageCount: number;
      keyShareNumerator: number;
      keyShareDenominator: number;
    }[],
    organisationIds: readonly string[],
  ): Promise<void> {
    await em.query(
      `INSERT INTO reconciliations (reconciliation_id, payer_organisation_id, period_start, period_end, version, route,
                                    tolerance_cents, status, result, closed_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        row.reconciliationId,
        result.payerOrganisationId,
        result.periodStart,
        result.periodEnd,
        row.version,
        row.route,
        row.toleranceCents,
        row.status,
        JSON.stringify(result),
        row.closedBy,
      ],
    );
    await em.query(
      `INSERT INTO settlements (settlement_id, reconciliation_id, member_organisation_id, amount_cents, attributable_cents,
         shared_cents, attributable_usage_count, allocation_key, key_share_numerator, key_share_denominator)
       SELECT s.id, $1, s.member, s.amount, s.attr, s.shared, s.n, $2, s.num, s.den
         FROM unnest($3::uuid[], $4::uuid[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[])
              AS s(id, member, amount, attr, shared, n, num, den)`,
      [
        row.reconciliationId,
        result.split.basis,
        settlements.map((s) => s.settlementId),
        settlements.map((s) => s.memberId),
        settlements.map((s) => s.amountCents),
        settlements.map((s) => s.attributableCents),
        settlements.map((s) => s.sharedCents),
        settlements.map((s) => s.attributableUsageCount),
        settlements.map((s) => s.keyShareNumerator),
        settlements.map((s) => s.keyShareDenominator),
      ],
    );
    await em.query(
      `INSERT INTO closed_period_orgs (organisation_id, period_start, period_end, payer_organisation_id)
       SELECT o, $2, $3, $4 FROM unnest($1::uuid[]) AS o ON CONFLICT DO NOTHING`,
      [organisationIds, result.periodStart, result.periodEnd, result.payerOrganisationId],
    );
    await em.query(
      `UPDATE billing_periods SET state = 'CLOSED', current_version = $4, updated_at = now()
        WHERE payer_organisation_id = $1 AND period_start = $2 AND period_end = $3`,
      [result.payerOrganisationId, result.periodStart, result.periodEnd, row.version],
    );
  }

  async reopen(
    em: EntityManager,
    payer: string,
    start: string,
    end: string,
    version: number,
    reason: string,
  ): Promise<void> {
    await em.query(
      `UPDATE reconciliations SET reopened_at = now(), reopen_reason = $5
        WHERE payer_organisation_id = $1 AND period_start = $2 AND period_end = $3 AND version = $4`,
      [payer, start, end, version, reason],
    );
    await em.query(
      `DELETE FROM closed_period_orgs WHERE payer_organisation_id = $1 AND period_start = $2 AND period_end = $3`,
      [payer, start, end],
    );
    await em.query(
      `UPDATE billing_periods SET state = 'OPEN', updated_at = now()
        WHERE payer_organisation_id = $1 AND period_start = $2 AND period_end = $3`,
      [payer, start, end],
    );
  }

  async versions(em: EntityManager, payer: string, start: string, end: string): Promise<ReconciliationRow[]> {
    const rows = await em.query<RawRow[]>(
      `${SELECT} WHERE payer_organisation_id = $1 AND period_start = $2 AND period_end = $3 ORDER BY version`,
      [payer, start, end],
    );
    return rows.map(toRow);
  }

  async byId(em: EntityManager, id: string): Promise<ReconciliationRow | null> {
    const rows = await em.query<RawRow[]>(`${SELECT} WHERE reconciliation_id = $1`, [id]);
    return rows[0] ? toRow(rows[0]) : null;
  }
}
