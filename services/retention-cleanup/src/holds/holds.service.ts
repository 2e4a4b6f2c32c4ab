import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { assertActsFor, isPlatformOperator, TenancyError } from '@divit/service-kit';
import type { Principal } from '@divit/service-kit';
import { ErasuresService, IssuedErasure } from '../erasures/erasures.service';
import { LegalHoldAuditEntity, LegalHoldEntity } from './legal-hold.entity';
import { HoldsRepository } from './holds.repository';
import { HoldError } from './holds.errors';
import { CreateHoldDto, HoldAuditView, HoldView, LiftHoldDto } from './dto/hold.dto';
import { ReaderScope } from '../tenancy/reader-scope';

export type { HoldAuditView, HoldView };

/**
 * Legal holds: while active, covered erasures stay due but are not issued. Creating and lifting are audited
 * (append-only). Lifting issues what the hold kept back in the same transaction; an expired hold releases at
 * the next sweep.
 */
@Injectable()
export class HoldsService {
  constructor(
    private readonly repository: HoldsRepository,
    private readonly erasures: ErasuresService,
    private readonly readers: ReaderScope,
  ) {}

  async create(principal: Principal, input: CreateHoldDto): Promise<HoldView> {
    // An organisation's hold is its own organisation's; only the platform operator places one for no organisation.
    const organisationId =
      input.organisationId ?? (isPlatformOperator(principal) ? null : principal.organisationId);
    if (organisationId !== null) assertActsFor(principal, organisationId);
    const id = randomUUID();
    await this.repository.transaction(async (tx) => {
      // A subject another organisation's erasures are scheduled for is not the caller's to hold (found by the
      // hostile-client tier: tenant B placed a hold on tenant A's registration). 404 as for an unknown id.
      if (input.subjectId && organisationId !== null) {
        if (await this.repository.subjectOfAnotherOrganisation(tx, input.subjectId, organisationId))
          throw new HoldError('SUBJECT_NOT_FOUND', 'No such subject for your organisation.');
      }
      await this.repository.insert(tx, {
        id,
        subjectId: input.subjectId ?? null,
        category: input.category ?? null,
        organisationId,
        reason: input.reason,
        owner: input.owner,
        expiresAt: input.expiresAt ? new Date(input.expiresAt) : null,
        createdBy: principal.subject,
      });
      await this.repository.audit(tx, {
        holdId: id,
        action: 'CREATED',
        actor: principal.subject,
        reason: input.reason,
      });
    });
    return this.get(id);
  }

  async lift(
    principal: Principal,
    id: string,
    input: LiftHoldDto,
  ): Promise<HoldView & { released: IssuedErasure[] }> {
    const released = await this.repository.transaction(async (tx) => {
      const hold = await this.repository.lockById(tx, id);
      if (!hold || !(await this.visible(principal, hold, tx)))
        throw new HoldError('HOLD_NOT_FOUND', 'No such legal hold.');
      // A coordinator reads its members' holds but lifting one releases the member's erasures: the member's own.
      if (!ownHold(principal, hold))
        throw new TenancyError(
          'OUTSIDE_ORGANISATION',
          'This legal hold is another organisation’s: only that organisation (or the platform operator) lifts it.',
        );
      if (hold.liftedAt) throw new HoldError('HOLD_ALREADY_LIFTED', 'The legal hold was lifted already.');
      await this.repository.markLifted(tx, id, {
        liftedAt: new Date(),
        liftedBy: principal.subject,
        liftReason: input.reason,
      });
      await this.repository.audit(tx, {
        holdId: id,
        action: 'LIFTED',
        actor: principal.subject,
        reason: input.reason,
      });
      return this.erasures.issueReleased(tx);
    });
    return { ...(await this.get(id)), released };
  }

  /** A hold by id; one the caller may not read (ReaderScope) answers as a missing one. */
  async get(id: string, principal?: Principal): Promise<HoldView> {
    const hold = await this.repository.byId(id);
    if (!hold || (principal && !(await this.visible(principal, hold))))
      throw new HoldError('HOLD_NOT_FOUND', 'No such legal hold.');
    return toView(hold);
  }

  /**
   * The holds of the caller's organisation and, for a route B/C coordinator, of the organisations it coordinates
   * and their current members (every hold for the platform operator), newest first.
   */
  async list(principal: Principal): Promise<HoldView[]> {
    const organisations = await this.readers.organisations(principal);
    const rows = await this.repository.list(organisations);
    return rows.map(toView);
  }

  async audit(principal: Principal): Promise<HoldAuditView[]> {
    const organisations = await this.readers.organisations(principal);
    const rows: LegalHoldAuditEntity[] = await this.repository.auditEntries(organisations);
    return rows.map((r) => ({
      holdId: r.holdId,
      action: r.action,
      actor: r.actor,
      reason: r.reason,
      occurredAt: r.occurredAt.toISOString(),
    }));
  }

  /** A hold the caller may read: a platform-wide hold (no organisation) only for the platform operator. */
  private async visible(principal: Principal, hold: LegalHoldEntity, em?: EntityManager): Promise<boolean> {
    if (isPlatformOperator(principal)) return true;
    return hold.organisationId !== null && this.readers.mayRead(principal, hold.organisationId, em);
  }
}

/** A hold the caller may lift: its own organisation's, or any for the platform operator. */
function ownHold(principal: Principal, hold: LegalHoldEntity): boolean {
  return isPlatformOperator(principal) || hold.organisationId === principal.organisationId;
}

function toView(h: LegalHoldEntity): HoldView {
  const now = Date.now();
  return {
    id: h.id,
    subjectId: h.subjectId,
    category: h.category,
    organisationId: h.organisationId,
    reason: h.reason,
    owner: h.owner,
    expiresAt: h.expiresAt?.toISOString() ?? null,
    createdBy: h.createdBy,
    createdAt: h.createdAt.toISOString(),
    liftedBy: h.liftedBy,
    liftedAt: h.liftedAt?.toISOString() ?? null,
    liftReason: h.liftReason,
    active: !h.liftedAt && (!h.expiresAt || h.expiresAt.getTime() > now),
  };
}
