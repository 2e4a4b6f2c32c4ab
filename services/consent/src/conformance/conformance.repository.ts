import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { scanForBsnLikeValues } from '@divit/service-kit';

/** The conformance evidence queries (ADR 0025: the only place that reads these tables for it). */
@Injectable()
export class ConformanceRepository {
  constructor(private readonly dataSource: DataSource) {}

  async evidence(organisationId: string, from: Date, to: Date) {
    const em = this.dataSource.manager;
    const texts = await em.query<
      {
        id: string;
        audience: string;
        purpose: string;
        language: string;
        version: number;
        version_hash: string;
        published_at: Date;
        elements: Record<string, unknown>;
      }[]
    >(
      `SELECT id, audience, purpose, language, version, version_hash, published_at, elements FROM consent_texts
        WHERE organisation_id = $1 AND status = 'PUBLISHED' AND published_at < $3
          AND (superseded_at IS NULL OR superseded_at >= $2)
        ORDER BY purpose, audience, language, version`,
      [organisationId, from, to],
    );
    const answers = await em.query<{ purpose: string; subject_role: string; answer: string; n: number }[]>(
      `SELECT purpose, subject_role, answer, count(*)::int AS n FROM consents
        WHERE organisation_id = $1 AND answered_at >= $2 AND answered_at < $3
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
      [organisationId, from, to],
    );
    const withdrawals = await em.query<{ purpose: string; subject_role: string; n: number }[]>(
      `SELECT purpose, subject_role, count(*)::int AS n FROM consents
        WHERE organisation_id = $1 AND withdrawn_at >= $2 AND withdrawn_at < $3
        GROUP BY 1, 2 ORDER BY 1, 2`,
      [organisationId, from, to],
    );
    const [unshown] = await em.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM consents c LEFT JOIN consent_showings s ON s.id = c.showing_id
        WHERE c.organisation_id = $1 AND c.answered_at >= $2 AND c.answered_at < $3
          AND (s.id IS NULL OR s.text_version_hash <> c.text_version_hash)`,
      [organisationId, from, to],
    );
    // Receipts and showings hold no BSN; the scan proves it for this service's tables.
    const bsnScan = await scanForBsnLikeValues(em);
    return { texts, answers, withdrawals, answersWithoutProofOfShowing: unshown?.n ?? 0, bsnScan };
  }
}
