import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { createLogger } from '@divit/observability';
import type { Principal } from '@divit/service-kit';
import { IncomeRetrievalError } from '../households/households.errors';
import { NORM_CATALOGUE } from '../tokens';
import {
  mergeNormSets,
  NormCatalogue,
  NormSet,
  normSetSchema,
  NormsInvalidError,
  sameNormSet,
} from './norms';
import { NormSetInForce, NormSource, PublishedNorms } from './norms.schemas';

export type { NormSource, PublishedNorms };

/**
 * One transaction's view of the norms while it works on allocations: the catalogue it read, and the lease years it
 * has found without norms while holding that year's shared lock (a miss there is final until it commits).
 */
export interface NormsLookup {
  catalogue?: NormCatalogue;
  missingYears?: Set<number>;
}

/** The two-int advisory lock space (separate from the bigint one the allocation locks use): one lock per lease year. */
const NORMS_YEAR_LOCK = 7302;

/**
 * The income norms in force: the files shipped with the service (`src/norms/data/<year>.json`, validated at boot)
 * plus the sets the platform operator published through `PUT /norms/{leaseYear}` (table `income_norms`, read from
 * the database on every lookup, so every replica sees a published year at once). Published sets are immutable.
 *
 * **No gap between "no norms" and "norms published"** (ADR 0017): a transaction that finds no norms for a lease year
 * takes that year's advisory lock in shared mode and looks again before it records the allocation as awaiting;
 * publishing takes the same lock exclusively. So publishing waits for every transaction that saw the year without
 * norms, and when it has committed, every allocation awaiting that year is visible to the resolver.
 */
@Injectable()
export class NormsService implements OnApplicationBootstrap {
  private readonly logger = createLogger('NormsService');
  /** Parsed published sets by `year|version` (published sets never change, so the key identifies the content). */
  private readonly parsed = new Map<string, NormSet>();
  private readonly warned = new Set<number>();

  constructor(
    private readonly dataSource: DataSource,
    @Inject(NORM_CATALOGUE) private readonly files: NormCatalogue,
  ) {}

  /** A published set that clashes with a newly shipped file stops the start (as a bad file does). */
  async onApplicationBootstrap(): Promise<void> {
    await this.catalogue();
  }

  /** The catalogue in force now (files plus published sets), read in `em`'s transaction. */
  async catalogue(em: EntityManager = this.dataSource.manager): Promise<NormCatalogue> {
    return (await this.load(em)).catalogue;
  }

  /** The catalogue with each set's source, for GET /norms. */
  async list(): Promise<NormSetInForce[]> {
    const { catalogue, published } = await this.load(this.dataSource.manager);
    return catalogue.all().map(({ $comment: _comment, ...rest }) => {
      const p = published.get(rest.leaseYear);
      return p
        ? { ...rest, source: 'OPERATOR' as const, publishedAt: p.publishedAt.toISOString() }
        : { ...rest, source: 'FILE' as const, publishedAt: null };
    });
  }

  /**
   * The norm set in force on a lease start date, in `em`'s transaction. On a miss it takes the lease year's shared
   * lock and reads again (see the class comment); `lookup` caches the catalogue for the rest of the transaction.
   */
  async forLeaseStart(
    em: EntityManager,
    leaseStartDate: string,
    lookup: NormsLookup = {},
  ): Promise<NormSet | undefined> {
    lookup.catalogue ??= await this.catalogue(em);
    const found = lookup.catalogue.forLeaseStart(leaseStartDate);
    if (found) return found;
    const year = Number(leaseStartDate.slice(0, 4));
    lookup.missingYears ??= new Set();
    if (lookup.missingYears.has(year)) return undefined;
    await em.query(`SELECT pg_advisory_xact_lock_shared($1, $2)`, [NORMS_YEAR_LOCK, year]);
    lookup.catalogue = await this.catalogue(em);
    const again = lookup.catalogue.forLeaseStart(leaseStartDate);
    if (!again) lookup.missingYears.add(year);
    return again;
  }

  /**
   * Publishes a lease year's norms (the platform operator; they apply to every organisation). Idempotent: the same
   * set again answers `created: false`. A year that already has other norms (a file or an earlier publication) is
   * refused: decisions may already carry its version.
   */
  async publish(principal: Principal, leaseYear: number, body: NormSet): Promise<PublishedNorms> {
    if (body.leaseYear !== leaseYear)
      throw new IncomeRetrievalError(
        'NORMS_YEAR_MISMATCH',
        `leaseYear: the body is for ${body.leaseYear}, the path for ${leaseYear}`,
      );
    if (body.validFrom !== `${leaseYear}-01-01`)
      throw new IncomeRetrievalError(
        'NORMS_YEAR_MISMATCH',
        `validFrom: must be ${leaseYear}-01-01 (a later date would leave the year's first leases without norms for good)`,
      );
    return this.dataSource.transaction(async (em) => {
      // Exclusive: waits for every transaction that found this year without norms and may still mark an allocation
      // as awaiting it; later ones block until this commits and then see the norms.
      await em.query(`SELECT pg_advisory_xact_lock($1, $2)`, [NORMS_YEAR_LOCK, leaseYear]);
      // Versions are unique across years: one lock for all publications while the version is checked.
      await em.query(`SELECT pg_advisory_xact_lock($1, 0)`, [NORMS_YEAR_LOCK]);
      const { catalogue, published } = await this.load(em);
      const current = catalogue.forYear(leaseYear);
      const awaiting = async () =>
        Number(
          (
            await em.query<{ n: string }[]>(
              `SELECT count(*) AS n FROM allocations a WHERE a.awaiting_norms_year = $1
                 AND NOT EXISTS (SELECT 1 FROM decisions d WHERE d.allocation_id = a.allocation_id)`,
              [leaseYear],
            )
          )[0]?.n ?? 0,
        );
      if (current) {
        const source: NormSource = published.has(leaseYear) ? 'OPERATOR' : 'FILE';
        if (sameNormSet(current, body))
          return {
            leaseYear,
            version: current.version,
            source,
            created: false,
            awaitingAllocations: await awaiting(),
          };
        throw new IncomeRetrievalError(
          'NORMS_ALREADY_PUBLISHED',
          `leaseYear: the norms for ${leaseYear} are already in force (version ${current.version}, ${source === 'FILE' ? 'shipped file' : 'published'}); published norms are not changed`,
        );
      }
      if (catalogue.all().some((s) => s.version === body.version))
        throw new IncomeRetrievalError(
          'NORMS_VERSION_TAKEN',
          `version: ${body.version} is already the version of another year's norms`,
        );
      await em.query(
        `INSERT INTO income_norms (lease_year, version, body, published_by) VALUES ($1, $2, $3, $4)`,
        [leaseYear, body.version, JSON.stringify(body), principal.subject],
      );
      const awaitingAllocations = await awaiting();
      this.logger.info('income norms published', {
        leaseYear,
        version: body.version,
        by: principal.subject,
        awaitingAllocations,
      });
      return { leaseYear, version: body.version, source: 'OPERATOR', created: true, awaitingAllocations };
    });
  }

  private async load(em: EntityManager): Promise<{
    catalogue: NormCatalogue;
    published: Map<number, { publishedAt: Date }>;
  }> {
    const rows = await em.query<{ leaseYear: number; version: string; body: unknown; publishedAt: Date }[]>(
      `SELECT lease_year AS "leaseYear", version, body, published_at AS "publishedAt"
       FROM income_norms ORDER BY lease_year`,
    );
    const sets = rows.map((r) => {
      const key = `${r.leaseYear}|${r.version}`;
      let set = this.parsed.get(key);
      if (!set) {
        const parsed = normSetSchema.safeParse(r.body);
        if (!parsed.success)
          throw new NormsInvalidError(
            `income_norms ${r.leaseYear}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
          );
        set = parsed.data;
        this.parsed.set(key, set);
      }
      return set;
    });
    const { catalogue, overridden } = mergeNormSets(this.files.all(), sets);
    for (const year of overridden)
      if (!this.warned.has(year)) {
        this.warned.add(year);
        this.logger.warn(
          'a shipped norm file differs from the norms published for its year; the published ones stay in force',
          {
            leaseYear: year,
          },
        );
      }
    return {
      catalogue,
      published: new Map(rows.map((r) => [r.leaseYear, { publishedAt: new Date(r.publishedAt) }])),
    };
  }
}
