import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/** The two-int advisory lock space (separate from the bigint one the allocation locks use): one lock per lease year. */
const NORMS_YEAR_LOCK = 7302;

/** A norm set published by the platform operator, as stored (the body is validated by the caller). */
export interface PublishedNormsRow {
  leaseYear: number;
  version: string;
  body: unknown;
  publishedAt: Date;
}

/** The published income norms and their locks (ADR 0025: the only place that queries income_norms). */
@Injectable()
export class NormsRepository {
  /** The lease year's lock in shared mode, for the rest of the transaction (a miss there is final until commit). */
  async lockYearShared(em: EntityManager, year: number): Promise<void> {
    await em.query(`SELECT pg_advisory_xact_lock_shared($1, $2)`, [NORMS_YEAR_LOCK, year]);
  }

  /** The lease year's lock exclusively, for the rest of the transaction. */
  async lockYear(em: EntityManager, year: number): Promise<void> {
    await em.query(`SELECT pg_advisory_xact_lock($1, $2)`, [NORMS_YEAR_LOCK, year]);
  }

  /** The lock over all publications (versions are unique across years), for the rest of the transaction. */
  async lockPublications(em: EntityManager): Promise<void> {
    await em.query(`SELECT pg_advisory_xact_lock($1, 0)`, [NORMS_YEAR_LOCK]);
  }

  /** Allocations waiting for the lease year's norms that have no decision yet. */
  async awaitingCount(em: EntityManager, leaseYear: number): Promise<number> {
    return Number(
      (
        await em.query<{ n: string }[]>(
          `SELECT count(*) AS n FROM allocations a WHERE a.awaiting_norms_year = $1
             AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.allocation_id = a.allocation_id)`,
          [leaseYear],
        )
      )[0]?.n ?? 0,
    );
  }

  async insert(
    em: EntityManager,
    leaseYear: number,
    version: string,
    body: unknown,
    publishedBy: string,
  ): Promise<void> {
    await em.query(
      `INSERT INTO income_norms (lease_year, version, body, published_by) VALUES ($1, $2, $3, $4)`,
      [leaseYear, version, JSON.stringify(body), publishedBy],
    );
  }

  /** Every published set, by lease year. */
  published(em: EntityManager): Promise<PublishedNormsRow[]> {
    return em.query<PublishedNormsRow[]>(
      `SELECT lease_year AS "leaseYear", version, body, published_at AS "publishedAt"
       FROM income_norms ORDER BY lease_year`,
    );
  }
}
