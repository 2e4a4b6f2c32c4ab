import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

export type MergeTx = EntityManager;

export interface MergeCandidate {
  id: string;
  organisationId: string;
  status: 'ACTIVE' | 'DEREGISTERED';
  registrationDate: string;
  allocations: number;
}

/** The SQL of a manual merge (ADR 0025: SQL lives in repositories), inside the caller's transaction. */
@Injectable()
export class RegistrationMergeRepository {
  constructor(private readonly dataSource: DataSource) {}

  transaction<T>(work: (tx: MergeTx) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** The dossier import's lock (one writer of the concordance at a time); false while a load runs. */
  async tryImportLock(tx: MergeTx): Promise<boolean> {
    const [row] = await tx.query<{ ok: boolean }[]>(
      `SELECT pg_try_advisory_xact_lock(hashtext('divit.registration.dossier-import')) AS ok`,
    );
    return row?.ok === true;
  }

  /** Both registrations, locked in id order (two merges of the same pair cannot deadlock). */
  async lockBoth(tx: MergeTx, ids: [string, string]): Promise<Map<string, MergeCandidate>> {
    const rows = await tx.query<MergeCandidate[]>(
      `SELECT r.id, r.organisation_id AS "organisationId", r.status, r.registration_date::text AS "registrationDate",
              (SELECT count(*)::int FROM allocations a WHERE a.registration_id = r.id) AS allocations
       FROM registrations r WHERE r.id = ANY($1::uuid[]) ORDER BY r.id FOR UPDATE OF r`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r]));
  }

  /** Moves the duplicate's concordance rows to the survivor; returns how many. */
  async moveConcordance(tx: MergeTx, survivorId: string, duplicateId: string): Promise<number> {
    // Wrapped in a SELECT: TypeORM answers a bare UPDATE … RETURNING with [rows, count].
    const [row] = await tx.query<{ n: number }[]>(
      `WITH moved AS (
         UPDATE dossier_concordance SET registration_id = $1, updated_at = now() WHERE registration_id = $2 RETURNING 1)
       SELECT count(*)::int AS n FROM moved`,
      [survivorId, duplicateId],
    );
    return row?.n ?? 0;
  }

  /** The survivor keeps the earlier registration date (waiting time is never taken away). */
  async keepEarliestDate(tx: MergeTx, survivorId: string, registrationDate: string): Promise<string> {
    const [row] = await tx.query<{ registration_date: string }[]>(
      `WITH kept AS (
         UPDATE registrations SET registration_date = LEAST(registration_date, $2::date), version = version + 1,
           updated_at = now() WHERE id = $1 RETURNING registration_date)
       SELECT registration_date::text AS registration_date FROM kept`,
      [survivorId, registrationDate],
    );
    return row!.registration_date;
  }

  async deregister(tx: MergeTx, id: string, at: Date): Promise<void> {
    await tx.query(
      `UPDATE registrations SET status = 'DEREGISTERED', deregistered_at = $2, version = version + 1, updated_at = now()
       WHERE id = $1`,
      [id, at],
    );
  }
}
