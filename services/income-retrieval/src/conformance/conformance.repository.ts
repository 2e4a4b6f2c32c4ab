import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { scanForBsnLikeValues } from '@divit/service-kit';

/** The conformance evidence queries (ADR 0025: the only place that reads these tables for it). */
@Injectable()
export class ConformanceRepository {
  constructor(private readonly dataSource: DataSource) {}

  async evidence(organisationId: string, from: Date, to: Date) {
    const em = this.dataSource.manager;
    const decisions = await em.query<{ outcome: string; reason: string | null; n: number }[]>(
      `SELECT d.outcome, d.alternative_route_reason AS reason, count(*)::int AS n
         FROM decisions d JOIN allocations a ON a.allocation_id = d.allocation_id
        WHERE a.organisation_id = $1 AND d.decided_at >= $2 AND d.decided_at < $3
        GROUP BY 1, 2 ORDER BY 1, 2`,
      [organisationId, from, to],
    );
    const [undecided] = await em.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM allocations a
        WHERE a.organisation_id = $1 AND a.recorded_at >= $2 AND a.recorded_at < $3 AND a.closed_outcome IS NULL
          AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.allocation_id = a.allocation_id)`,
      [organisationId, from, to],
    );
    // Shared income not used in a completed test is deleted when the allocation ends without a lease.
    const [unusedAfterEnd] = await em.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM shared_incomes s JOIN allocations a ON a.allocation_id = s.allocation_id
        WHERE a.organisation_id = $1 AND a.closed_outcome = 'ENDED_WITHOUT_LEASE' AND NOT s.used`,
      [organisationId],
    );
    const [overdueStatements] = await em.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM income_statements
        WHERE organisation_id = $1 AND retain_until IS NOT NULL AND retain_until < current_date`,
      [organisationId],
    );
    const bsnScan = await scanForBsnLikeValues(em);
    return {
      decisions,
      undecidedOpenAllocations: undecided?.n ?? 0,
      unusedIncomeAfterEndWithoutLease: unusedAfterEnd?.n ?? 0,
      statementsPastRetention: overdueStatements?.n ?? 0,
      bsnScan,
    };
  }
}
