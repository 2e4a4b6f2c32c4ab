import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ConsentGrantedEvent, ConsentRefusedEvent, ConsentWithdrawnEvent } from '@divit/contracts';
import { MessagingRuntime, Principal, receiptPayload, signReceipt } from '@divit/service-kit';
import type { ConsentConfig } from '../config/consent.config';
import { CONSENT_CONFIG } from '../config/consent-config.token';
import { ConsentError } from '../common/consent.errors';
import { ConsentTextsRepository } from '../consent-texts/consent-texts.repository';
import { Controllers, OrganisationsService } from '../organisations/organisations.service';
import { ShowingsRepository } from '../showings/showings.repository';
import { SigningKeysService } from '../signing-keys/signing-keys.service';
import { AccessLogService } from '@divit/access-log';
import { AllocationConsentStatus, AnswerDto, ConsentView, PersonStatus } from './dto/consent.dto';
import { ConsentEntity } from './consent.entity';
import { ConsentsRepository } from './consents.repository';

export type { AllocationConsentStatus, ConsentView, PersonStatus };

/** Answers to showings (grant with signed receipt, refusal = U1), withdrawal, and the per-allocation status. */
@Injectable()
export class ConsentsService {
  constructor(
    private readonly repository: ConsentsRepository,
    private readonly showings: ShowingsRepository,
    private readonly texts: ConsentTextsRepository,
    private readonly organisations: OrganisationsService,
    private readonly keys: SigningKeysService,
    private readonly accessLog: AccessLogService,
    @Inject(MessagingRuntime) private readonly messaging: MessagingRuntime,
    @Inject(CONSENT_CONFIG) private readonly config: ConsentConfig,
  ) {}

  async answer(principal: Principal, dto: AnswerDto): Promise<ConsentView> {
    return this.repository.transaction(async (em) => {
      const showing = await this.showings.byId(dto.showingId, em);
      if (!showing || showing.organisationId !== principal.organisationId)
        throw new ConsentError(
          'NO_VALID_SHOWING',
          'an answer needs a recorded showing of the consent text (POST /showings) for your organisation',
          { showingId: dto.showingId },
        );
      // Answers for one registration are serialised: one active grant per person and purpose, events in order.
      await this.repository.lockRegistration(em, showing.registrationId);
      const now = new Date();
      const windowMs = this.config.CONSENT_SHOWING_WINDOW_MINUTES * 60_000;
      if (now.getTime() - showing.shownAt.getTime() > windowMs)
        throw new ConsentError(
          'SHOWING_EXPIRED',
          `the text was shown more than ${this.config.CONSENT_SHOWING_WINDOW_MINUTES} minutes ago; show it again`,
          { showingId: showing.id, shownAt: showing.shownAt.toISOString() },
        );
      const earlier = await this.repository.byShowing(em, showing.id);
      if (earlier)
        throw new ConsentError('SHOWING_ALREADY_ANSWERED', 'this showing was already answered', {
          consentId: earlier.id,
        });
      const text = await this.texts.byId(showing.textId, em);
      if (!text || text.status !== 'PUBLISHED' || text.versionHash !== showing.textVersionHash)
        throw new ConsentError('NO_VALID_SHOWING', 'the shown text is not a published version', {
          showingId: showing.id,
        });
      if (text.supersededAt && text.supersededAt.getTime() <= showing.shownAt.getTime())
        throw new ConsentError('CONSENT_TEXT_SUPERSEDED', 'the shown text was no longer current when shown', {
          showingId: showing.id,
        });
      const controller = await this.organisations.controllersFor(
        showing.organisationId,
        showing.allocationId,
        now,
        em,
      );
      if (!sameControllers(controller, { route: showing.controllerRoute, controllers: showing.controllers }))
        throw new ConsentError(
          'CONTROLLER_CHANGED_SINCE_SHOWING',
          "the controller changed since the text was shown (the organisation's route, or the seeker's acceptance of the offered dwelling); show the text again",
          { showingId: showing.id },
        );
      const base = {
        id: randomUUID(),
        showingId: showing.id,
        textId: showing.textId,
        textVersionHash: showing.textVersionHash,
        organisationId: showing.organisationId,
        registrationId: showing.registrationId,
        subjectId: showing.subjectId,
        subjectRole: showing.subjectRole,
        allocationId: showing.allocationId,
        purpose: showing.purpose,
        answeredAt: now,
        controllerRoute: controller.route,
        controllers: controller.controllers,
        withdrawnAt: null,
        recordedBy: principal.subject,
      };
      if (dto.answer === 'REFUSED') {
        const row: ConsentEntity = {
          ...base,
          answer: 'REFUSED',
          receiptId: null,
          receipt: null,
          receiptKid: null,
        };
        await this.repository.insert(em, row);
        await this.messaging.outbox.add(em, ConsentRefusedEvent, {
          key: row.registrationId,
          subject: row.registrationId,
          value: {
            consentId: row.id,
            organisationId: row.organisationId,
            registrationId: row.registrationId,
            subjectId: row.subjectId,
            subjectRole: row.subjectRole,
            allocationId: row.allocationId,
            purpose: row.purpose,
            refusedAt: now.getTime(),
          },
        });
        return consentView(row);
      }
      const active = await this.repository.activeGrant(em, showing);
      if (active)
        throw new ConsentError(
          'CONSENT_ALREADY_GRANTED',
          'this person already granted consent for this purpose',
          {
            consentId: active.id,
          },
        );
      const key = await this.keys.activeKey(em);
      const receiptId = randomUUID();
      const receipt = await signReceipt(
        receiptPayload({
          jti: receiptId,
          cid: base.id,
          sub: base.subjectId,
          role: base.subjectRole,
          rid: base.registrationId,
          aid: base.allocationId,
          org: base.organisationId,
          ctl: { route: controller.route, controllers: controller.controllers.map((c) => c.organisationId) },
          pur: base.purpose,
          txt: base.textVersionHash,
          iat: Math.floor(now.getTime() / 1000),
        }),
        key.kid,
        key.privateKey,
      );
      const row: ConsentEntity = { ...base, answer: 'GRANTED', receiptId, receipt, receiptKid: key.kid };
      await this.repository.insert(em, row);
      await this.messaging.outbox.add(em, ConsentGrantedEvent, {
        key: row.registrationId,
        subject: row.registrationId,
        value: {
          consentId: row.id,
          organisationId: row.organisationId,
          registrationId: row.registrationId,
          subjectId: row.subjectId,
          subjectRole: row.subjectRole,
          allocationId: row.allocationId,
          purpose: row.purpose,
          textVersionHash: row.textVersionHash,
          receiptId,
          grantedAt: now.getTime(),
        },
      });
      return consentView(row);
    });
  }

  /**
   * Withdrawal: any time, no reason, effective at once, idempotent (a repeat returns the same result and publishes
   * nothing). Consent has no registration time; withdrawal never deregisters anyone.
   */
  async withdraw(principal: Principal, consentId: string): Promise<ConsentView> {
    return this.repository.transaction(async (em) => {
      const row = await this.lockVisible(em, principal, consentId);
      if (row.answer !== 'GRANTED')
        throw new ConsentError('CONSENT_NOT_GRANTED', 'only a granted consent can be withdrawn', {
          consentId,
        });
      if (row.withdrawnAt) return consentView(row);
      const now = new Date();
      await this.repository.withdraw(em, row.id, now);
      await this.messaging.outbox.add(em, ConsentWithdrawnEvent, {
        key: row.registrationId,
        subject: row.registrationId,
        value: {
          consentId: row.id,
          organisationId: row.organisationId,
          registrationId: row.registrationId,
          subjectId: row.subjectId,
          subjectRole: row.subjectRole,
          allocationId: row.allocationId,
          purpose: row.purpose,
          withdrawnAt: now.getTime(),
        },
      });
      return consentView({ ...row, withdrawnAt: now });
    });
  }

  async get(principal: Principal, consentId: string): Promise<ConsentView> {
    const row = await this.repository.byId(consentId);
    if (!row || row.organisationId !== principal.organisationId)
      throw new ConsentError('CONSENT_NOT_FOUND', 'consent not found', { consentId });
    await this.accessLog.record({
      principal,
      action: 'CONSENT_READ',
      resourceType: 'consent',
      resourceId: row.id,
      organisationId: row.organisationId,
      registrationId: row.registrationId,
      allocationId: row.allocationId,
      purpose: 'CASE_HANDLING',
    });
    return consentView(row);
  }

  /** Who was shown what and who granted or refused, per person (subject + role) and purpose, for one allocation. */
  async allocationStatus(principal: Principal, allocationId: string): Promise<AllocationConsentStatus> {
    // After acceptance the letting corporation is controller and reads the allocation's records too (ADR 0035).
    const owner = await this.organisations.allocationRecordsOwner(principal.organisationId, allocationId);
    const [showings, answers] = owner
      ? await Promise.all([
          this.showings.forAllocation(owner, allocationId),
          this.repository.forAllocation(owner, allocationId),
        ])
      : [[], []];
    const first = showings[0];
    if (!first)
      throw new ConsentError('ALLOCATION_NOT_FOUND', 'no consent requests for this allocation', {
        allocationId,
      });
    const people = new Map<string, PersonStatus>();
    const keyOf = (r: { subjectId: string; subjectRole: string; purpose: string }) =>
      `${r.subjectId}|${r.subjectRole}|${r.purpose}`;
    for (const s of showings) {
      const p = people.get(keyOf(s));
      if (p) p.lastShownAt = s.shownAt.toISOString();
      else
        people.set(keyOf(s), {
          subjectId: s.subjectId,
          subjectRole: s.subjectRole,
          purpose: s.purpose,
          status: 'SHOWN_NOT_ANSWERED',
          consentId: null,
          lastShownAt: s.shownAt.toISOString(),
          answeredAt: null,
          withdrawnAt: null,
          textVersionHash: s.textVersionHash,
        });
    }
    for (const a of answers) {
      const p = people.get(keyOf(a));
      if (!p) continue;
      p.status = a.withdrawnAt ? 'WITHDRAWN' : a.answer;
      p.consentId = a.id;
      p.answeredAt = a.answeredAt.toISOString();
      p.withdrawnAt = a.withdrawnAt ? a.withdrawnAt.toISOString() : null;
      p.textVersionHash = a.textVersionHash;
    }
    await this.accessLog.record({
      principal,
      action: 'ALLOCATION_CONSENT_STATUS_READ',
      resourceType: 'allocation',
      resourceId: allocationId,
      organisationId: first.organisationId,
      registrationId: first.registrationId,
      allocationId,
      purpose: 'CASE_HANDLING',
    });
    const list = [...people.values()].sort((a, b) =>
      a.subjectRole === b.subjectRole
        ? a.subjectId.localeCompare(b.subjectId)
        : a.subjectRole === 'HOME_SEEKER'
          ? -1
          : 1,
    );
    return {
      allocationId,
      registrationId: first.registrationId,
      organisationId: first.organisationId,
      people: list,
      alternativeRouteNeeded: list.some((p) => p.status === 'REFUSED' || p.status === 'WITHDRAWN'),
    };
  }

  private async lockVisible(
    em: EntityManager,
    principal: Principal,
    consentId: string,
  ): Promise<ConsentEntity> {
    const row = await this.repository.lockById(em, consentId);
    if (!row || row.organisationId !== principal.organisationId)
      throw new ConsentError('CONSENT_NOT_FOUND', 'consent not found', { consentId });
    return row;
  }
}

function sameControllers(a: Controllers, b: Controllers): boolean {
  const ids = (c: Controllers) => c.controllers.map((x) => x.organisationId).join(',');
  return a.route === b.route && ids(a) === ids(b);
}

export function consentView(row: ConsentEntity): ConsentView {
  return {
    consentId: row.id,
    answer: row.answer,
    status: row.withdrawnAt ? 'WITHDRAWN' : row.answer,
    answeredAt: row.answeredAt.toISOString(),
    withdrawnAt: row.withdrawnAt ? row.withdrawnAt.toISOString() : null,
    organisationId: row.organisationId,
    registrationId: row.registrationId,
    subjectId: row.subjectId,
    subjectRole: row.subjectRole,
    allocationId: row.allocationId,
    purpose: row.purpose,
    showingId: row.showingId,
    textVersionHash: row.textVersionHash,
    controller: { route: row.controllerRoute, controllers: row.controllers },
    receiptId: row.receiptId,
    receipt: row.receipt,
  };
}
