import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, IsNull, Not } from 'typeorm';
import { ConsentTextEntity } from './consent-text.entity';

/** A series of consent texts: one organisation, audience, purpose and language. */
export interface ConsentTextSeries {
  organisationId: string;
  audience: ConsentTextEntity['audience'];
  purpose: ConsentTextEntity['purpose'];
  language: ConsentTextEntity['language'];
}

/** The consent_texts table (ADR 0025: the only place that queries it). */
@Injectable()
export class ConsentTextsRepository {
  constructor(private readonly dataSource: DataSource) {}

  transaction<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  async insert(row: ConsentTextEntity, em: EntityManager = this.dataSource.manager): Promise<void> {
    await em.insert(ConsentTextEntity, row);
  }

  byId(id: string, em: EntityManager = this.dataSource.manager): Promise<ConsentTextEntity | null> {
    return em.findOne(ConsentTextEntity, { where: { id } });
  }

  /** One publisher per series at a time (transaction-scoped advisory lock). */
  async lockSeries(em: EntityManager, series: ConsentTextSeries): Promise<void> {
    await em.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
      `consent-text:${series.organisationId}:${series.audience}:${series.purpose}:${series.language}`,
    ]);
  }

  /** The series' published, not superseded version. */
  latestPublished(em: EntityManager, series: ConsentTextSeries): Promise<ConsentTextEntity | null> {
    return em.findOne(ConsentTextEntity, {
      where: { ...series, status: 'PUBLISHED', supersededAt: IsNull() },
    });
  }

  /** The series' highest version number so far (null: none published). */
  async maxVersion(em: EntityManager, series: ConsentTextSeries): Promise<number | null> {
    const [{ max }] = (await em.query<{ max: number | null }[]>(
      `SELECT max(version) AS max FROM consent_texts WHERE organisation_id = $1 AND audience = $2 AND purpose = $3 AND language = $4`,
      [series.organisationId, series.audience, series.purpose, series.language],
    )) as [{ max: number | null }];
    return max;
  }

  async supersede(em: EntityManager, id: string, at: Date): Promise<void> {
    await em.update(ConsentTextEntity, { id }, { supersededAt: at });
  }

  /** Publishes the draft; false when it is no longer a draft (published concurrently). */
  async publishDraft(
    em: EntityManager,
    id: string,
    published: Pick<ConsentTextEntity, 'version' | 'versionHash' | 'publishedAt'>,
  ): Promise<boolean> {
    const result = await em.update(
      ConsentTextEntity,
      { id, status: 'DRAFT' },
      { status: 'PUBLISHED', ...published },
    );
    return result.affected === 1;
  }

  /** The latest published version of a series. */
  current(series: ConsentTextSeries): Promise<ConsentTextEntity | null> {
    return this.dataSource.manager.findOne(ConsentTextEntity, {
      where: { ...series, status: 'PUBLISHED', supersededAt: IsNull(), version: Not(IsNull()) },
    });
  }

  byIds(ids: string[], em: EntityManager = this.dataSource.manager): Promise<ConsentTextEntity[]> {
    return em.find(ConsentTextEntity, { where: { id: In(ids) } });
  }
}
