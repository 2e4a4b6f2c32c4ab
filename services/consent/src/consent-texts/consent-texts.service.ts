import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull, Not } from 'typeorm';
import { Principal } from '@divit/service-kit';
import { textVersionHash } from '../common/canonical';
import { ConsentError } from '../common/consent.errors';
import { OrganisationsService } from '../organisations/organisations.service';
import { missingElements } from './consent-elements';
import { ConsentTextEntity } from './consent-text.entity';
import {
  ConsentTextView,
  CreateConsentTextDto,
  CurrentConsentTextView,
  CurrentTextQuery,
} from './dto/consent-text.dto';

export type { ConsentTextView, CurrentConsentTextView };

/** Versioned consent texts: drafts, publication (minimum elements checked, content-hashed, immutable), lookup. */
@Injectable()
export class ConsentTextsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly organisations: OrganisationsService,
  ) {}

  async createDraft(principal: Principal, dto: CreateConsentTextDto): Promise<ConsentTextView> {
    if (dto.organisationId !== principal.organisationId)
      throw new ConsentError('ORGANISATION_NOT_FOUND', 'organisation not found', {
        organisationId: dto.organisationId,
      });
    if (dto.audience === 'CO_RESIDENT' && dto.purpose !== 'BSN_AND_INCOME_AT_ALLOCATION')
      throw new ConsentError('AUDIENCE_MISMATCH', 'co-residents are asked for consent only at allocation', {
        field: 'audience',
      });
    const row: ConsentTextEntity = {
      id: randomUUID(),
      organisationId: dto.organisationId,
      audience: dto.audience,
      purpose: dto.purpose,
      language: dto.language,
      status: 'DRAFT',
      version: null,
      elements: dto.elements,
      versionHash: null,
      createdAt: new Date(),
      createdBy: principal.subject,
      publishedAt: null,
      supersededAt: null,
    };
    await this.dataSource.manager.insert(ConsentTextEntity, row);
    return view(row);
  }

  async get(principal: Principal, id: string): Promise<ConsentTextView> {
    return view(await this.visible(principal, id));
  }

  /**
   * Publishes a draft as the next version of its series: every required element present (else 422 naming the
   * missing ones), version number assigned, SHA-256 over the canonical serialisation, previous version superseded.
   */
  async publish(principal: Principal, id: string): Promise<ConsentTextView> {
    return this.dataSource.transaction(async (em) => {
      const text = await this.visible(principal, id, em);
      if (text.status === 'PUBLISHED')
        throw new ConsentError(
          'CONSENT_TEXT_ALREADY_PUBLISHED',
          'this version is already published and immutable',
          {
            versionHash: text.versionHash,
          },
        );
      const problems = missingElements(text.elements, text.purpose);
      if (problems.length > 0)
        throw new ConsentError(
          'CONSENT_TEXT_INCOMPLETE',
          `the text lacks required element(s): ${problems.map((p) => p.element).join(', ')}`,
          {
            missingElements: [...new Set(problems.map((p) => p.element))],
            errors: problems.map((p) => ({ field: `elements.${p.element}`, message: p.reason })),
          },
        );
      // One publisher per series at a time.
      await em.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
        `consent-text:${text.organisationId}:${text.audience}:${text.purpose}:${text.language}`,
      ]);
      const series = {
        organisationId: text.organisationId,
        audience: text.audience,
        purpose: text.purpose,
        language: text.language,
      };
      const latest = await em.findOne(ConsentTextEntity, {
        where: { ...series, status: 'PUBLISHED', supersededAt: IsNull() },
      });
      const [{ max }] = (await em.query<{ max: number | null }[]>(
        `SELECT max(version) AS max FROM consent_texts WHERE organisation_id = $1 AND audience = $2 AND purpose = $3 AND language = $4`,
        [text.organisationId, text.audience, text.purpose, text.language],
      )) as [{ max: number | null }];
      const now = new Date();
      const version = (max ?? 0) + 1;
      const versionHash = textVersionHash({ ...series, version, elements: text.elements });
      if (latest) await em.update(ConsentTextEntity, { id: latest.id }, { supersededAt: now });
      const published = await em.update(
        ConsentTextEntity,
        { id: text.id, status: 'DRAFT' },
        { status: 'PUBLISHED', version, versionHash, publishedAt: now },
      );
      if (published.affected !== 1)
        throw new ConsentError('CONSENT_TEXT_ALREADY_PUBLISHED', 'this version was published concurrently');
      return view({ ...text, status: 'PUBLISHED', version, versionHash, publishedAt: now });
    });
  }

  /** The latest published version of a series, with the controller it names today. */
  async current(principal: Principal, q: CurrentTextQuery): Promise<CurrentConsentTextView> {
    if (q.organisationId !== principal.organisationId)
      throw new ConsentError('ORGANISATION_NOT_FOUND', 'organisation not found', {
        organisationId: q.organisationId,
      });
    const text = await this.dataSource.manager.findOne(ConsentTextEntity, {
      where: { ...q, status: 'PUBLISHED', supersededAt: IsNull(), version: Not(IsNull()) },
    });
    if (!text)
      throw new ConsentError('NO_CURRENT_CONSENT_TEXT', 'no published consent text for this series', {
        ...q,
      });
    return {
      ...view(text),
      controller: await this.organisations.controllersOn(text.organisationId, new Date()),
    };
  }

  /** A text of the caller's organisation; anyone else's is "not found". */
  /** Inside a transaction, pass its manager: a query through the data source would take a second connection. */
  async visible(
    principal: Principal,
    id: string,
    em: EntityManager = this.dataSource.manager,
  ): Promise<ConsentTextEntity> {
    const text = await em.findOne(ConsentTextEntity, { where: { id } });
    if (!text || text.organisationId !== principal.organisationId)
      throw new ConsentError('CONSENT_TEXT_NOT_FOUND', 'consent text not found', { textId: id });
    return text;
  }
}

export function view(t: ConsentTextEntity): ConsentTextView {
  return {
    id: t.id,
    organisationId: t.organisationId,
    audience: t.audience,
    purpose: t.purpose,
    language: t.language,
    status: t.status,
    version: t.version,
    versionHash: t.versionHash,
    elements: t.elements,
    missingElements: t.status === 'DRAFT' ? missingElements(t.elements, t.purpose) : [],
    createdAt: t.createdAt.toISOString(),
    publishedAt: t.publishedAt ? t.publishedAt.toISOString() : null,
    supersededAt: t.supersededAt ? t.supersededAt.toISOString() : null,
  };
}
