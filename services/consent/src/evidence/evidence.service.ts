import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { jwkOf, Principal } from '@divit/service-kit';
import { AccessLogService } from '@divit/access-log';
import { ConsentError } from '../common/consent.errors';
import { ConsentTextEntity } from '../consent-texts/consent-text.entity';
import { ConsentEntity } from '../consents/consent.entity';
import { OrganisationsService } from '../organisations/organisations.service';
import { ShowingEntity } from '../showings/showing.entity';
import { SigningKeysService } from '../signing-keys/signing-keys.service';
import { ConsentEvidence, EvidenceEntry } from './dto/evidence.dto';

export type { ConsentEvidence, EvidenceEntry };

/** The full consent history of a registration, with the exact texts shown, for auditors. */
@Injectable()
export class EvidenceService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly organisations: OrganisationsService,
    private readonly keys: SigningKeysService,
    private readonly accessLog: AccessLogService,
  ) {}

  /** The registration's showings for the caller's organisation; 404 when it is another organisation's. */
  async visible(principal: Principal, registrationId: string): Promise<ShowingEntity[]> {
    const organisationId = principal.organisationId;
    const owner = await this.organisations.registrationOrganisation(registrationId);
    const showings = await this.dataSource.manager.find(ShowingEntity, {
      where: { registrationId, organisationId },
      order: { shownAt: 'ASC' },
    });
    if ((owner !== undefined && owner !== organisationId) || (owner === undefined && showings.length === 0))
      throw new ConsentError('REGISTRATION_NOT_FOUND', 'registration not found', { registrationId });
    return showings;
  }

  async export(
    principal: Principal,
    registrationId: string,
    format: 'JSON' | 'PDF',
  ): Promise<ConsentEvidence> {
    const m = this.dataSource.manager;
    const organisationId = principal.organisationId;
    const showings = await this.visible(principal, registrationId);
    const answers = await m.find(ConsentEntity, { where: { registrationId, organisationId } });
    const texts = showings.length
      ? await m.find(ConsentTextEntity, { where: { id: In([...new Set(showings.map((s) => s.textId))]) } })
      : [];
    const textById = new Map(texts.map((t) => [t.id, t]));
    const answerByShowing = new Map(answers.map((a) => [a.showingId, a]));
    const entries = showings.map((s): EvidenceEntry => {
      const t = textById.get(s.textId);
      const a = answerByShowing.get(s.id);
      return {
        showing: {
          showingId: s.id,
          shownAt: s.shownAt.toISOString(),
          channel: s.channel,
          subjectId: s.subjectId,
          subjectRole: s.subjectRole,
          allocationId: s.allocationId,
          purpose: s.purpose,
          controller: { route: s.controllerRoute, controllers: s.controllers },
        },
        text: {
          textId: s.textId,
          version: t?.version ?? null,
          audience: t?.audience ?? s.subjectRole,
          language: t?.language ?? '',
          versionHash: s.textVersionHash,
          publishedAt: t?.publishedAt ? t.publishedAt.toISOString() : null,
          elements: t?.elements ?? {},
        },
        answer: a
          ? {
              consentId: a.id,
              answer: a.answer,
              answeredAt: a.answeredAt.toISOString(),
              receiptId: a.receiptId,
              receipt: a.receipt,
              receiptKid: a.receiptKid,
              withdrawnAt: a.withdrawnAt ? a.withdrawnAt.toISOString() : null,
            }
          : null,
      };
    });
    const kids = new Set(answers.map((a) => a.receiptKid).filter((k): k is string => k !== null));
    const signingKeys = (await this.keys.all())
      .filter((k) => kids.has(k.kid))
      .map((k) => jwkOf(k.kid, k.publicKey));
    await this.accessLog.record({
      principal,
      action: format === 'JSON' ? 'CONSENT_EVIDENCE_JSON_EXPORTED' : 'CONSENT_EVIDENCE_PDF_EXPORTED',
      resourceType: 'registration',
      resourceId: registrationId,
      organisationId,
      registrationId,
      purpose: 'AUDIT',
    });
    return {
      registrationId,
      organisationId,
      generatedAt: new Date().toISOString(),
      note: 'Consent has no registration time: granting, refusing or withdrawing never changes the registration date and never deregisters.',
      entries,
      signingKeys,
    };
  }
}
