import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { scanForBsnLikeValues } from '@divit/service-kit';

/** The conformance evidence queries (ADR 0025: the only place that reads these tables for it). */
@Injectable()
export class ConformanceRepository {
  constructor(private readonly dataSource: DataSource) {}

  async evidence(organisationId: string, from: Date, to: Date) {
    const em = this.dataSource.manager;
    // Per trigger and category: commands made due in the period, how many are acknowledged by their owner, and
    // the seconds from the trigger (e.g. the withdrawal) to the owner's acknowledgement.
    const erasures = await em.query<
      {
        trigger: string;
        category: string;
        n: number;
        completed: number;
        median_s: number | null;
        max_s: number | null;
      }[]
    >(
      `SELECT "trigger", category, count(*)::int AS n,
              count(*) FILTER (WHERE status = 'COMPLETED')::int AS completed,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM completed_at - trigger_at))
                FILTER (WHERE status = 'COMPLETED') AS median_s,
              max(extract(epoch FROM completed_at - trigger_at)) FILTER (WHERE status = 'COMPLETED') AS max_s
         FROM scheduled_erasures
        WHERE organisation_id = $1 AND trigger_at >= $2 AND trigger_at < $3
        GROUP BY 1, 2 ORDER BY 1, 2`,
      [organisationId, from, to],
    );
    const [log] = await em.query<{ n: number; erased: string | null }[]>(
      `SELECT count(*)::int AS n, sum(erased_count)::text AS erased FROM deletion_log
        WHERE organisation_id = $1 AND completed_at >= $2 AND completed_at < $3`,
      [organisationId, from, to],
    );
    const [overdue] = await em.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM scheduled_erasures
        WHERE organisation_id = $1 AND status <> 'COMPLETED' AND due_at < now() - interval '1 day'`,
      [organisationId],
    );
    const [holds] = await em.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM legal_holds WHERE organisation_id = $1 AND lifted_at IS NULL`,
      [organisationId],
    );
    const bsnScan = await scanForBsnLikeValues(em);
    return {
      erasures,
      deletionLogRecords: log?.n ?? 0,
      rowsErased: Number(log?.erased ?? 0),
      overdueErasures: overdue?.n ?? 0,
      activeLegalHolds: holds?.n ?? 0,
      bsnScan,
    };
  }
}
