import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { scanForBsnLikeValues } from '@divit/service-kit';

/** The conformance evidence queries (ADR 0025: the only place that reads these tables for it). */
@Injectable()
export class ConformanceRepository {
  constructor(private readonly dataSource: DataSource) {}

  async evidence(organisationId: string, from: Date, to: Date) {
    const em = this.dataSource.manager;
    const sessions = await em.query<
      { purpose: string; subject_role: string; state: string; failure_code: string | null; n: number }[]
    >(
      `SELECT purpose, subject_role, state, failure_code, count(*)::int AS n FROM sharing_sessions
        WHERE organisation_id = $1 AND created_at >= $2 AND created_at < $3
        GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
      [organisationId, from, to],
    );
    const hashes = await em.query<{ key_id: string; n: number }[]>(
      `SELECT key_id, count(*)::int AS n FROM bsn_hashes WHERE organisation_id = $1 GROUP BY 1 ORDER BY 1`,
      [organisationId],
    );
    const [holding] = await em.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM sharing_sessions
        WHERE organisation_id = $1 AND created_at >= $2 AND created_at < $3 AND state = 'FAILED'
          AND (pending_hash IS NOT NULL OR validated_surname IS NOT NULL OR validated_birth_date IS NOT NULL)`,
      [organisationId, from, to],
    );
    const usage = await em.query<{ unit: string; n: number }[]>(
      `SELECT unit, count(*)::int AS n FROM usage_records
        WHERE organisation_id = $1 AND occurred_at >= $2 AND occurred_at < $3 GROUP BY 1 ORDER BY 1`,
      [organisationId, from, to],
    );
    const bsnScan = await scanForBsnLikeValues(em);
    return { sessions, hashes, holding: holding?.n ?? 0, usage, bsnScan };
  }
}
