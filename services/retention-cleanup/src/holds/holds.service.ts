import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { assertActsFor, isPlatformOperator, TenancyError } from '@divit/service-kit';
import type { Principal } from '@divit/service-kit';
import { ErasuresService, IssuedErasure } from '../erasures/erasures.service';
import { LegalHoldAuditEntity, LegalHoldEntity } from './legal-hold.entity';
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
    private readonly dataSource: DataSource,
    private readonly erasures: ErasuresService,
    private readonly readers: ReaderScope,
  ) {}

  async create(principal: Principal, input: CreateHoldDto): Promise<HoldView> {
    // An organisation's hold is its own organisation's; only the platform operator places one for no organisation.
    const organisationId =
      input.organisationId ?? (isPlatformOperator(principal) ? null : principal.organisationId);
    if (organisationId !== null) assertActsFor(principal, organisationId);
    const id = randomUUID();
    await this.dataSource.transaction(async (tx) => {
      // A subject another organisation's erasures are scheduled for is not the caller's to hold (found by the
      // hostile-client tier: tenant B placed a hold on tenant A's registration). 404 as for an unknown id.
      if (input.subjectId && organisationId !== null) {
        const foreign = await tx.query<unknown[]>(
          `SELECT 1 FROM scheduled_erasures
            WHERE (registration_id = $1 OR subject_id = $1) AND organisation_id IS DISTINCT FROM $2 LIMIT 1`,
          [input.subjectId, organisationId],
        );
        if (foreign.length > 0)
          throw new HoldError('SUBJECT_NOT_FOUND', 'No such subject for your organisation.');
      }
      await tx.insert(LegalHoldEntity, {
        id,
        subjectId: input.subjectId ?? null,
        category: input.category ?? null,
        organisationId,
        reason: input.reason,
        owner: input.owner,
        expiresAt: input.expiresAt ? new Date(input.expiresAt) : null,
        createdBy: principal.subject,
      });
      await tx.insert(LegalHoldAuditEntity, {
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
    const released = await this.dataSource.transaction(async (tx) => {
      const hold = await tx.findOne(LegalHoldEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!hold || !(await this.visible(principal, hold, tx)))
        throw new HoldError('HOLD_NOT_FOUND', 'No such legal hold.');
      // A coordinator reads its members' holds but lifting one releases the member's erasures: the member's own.
      if (!ownHold(principal, hold))
        throw new TenancyError(
          'OUTSIDE_ORGANISATION',
          'This legal hold is another organisation’s: only that organisation (or the platform operator) lifts it.',
        );
      if (hold.liftedAt) throw new HoldError('HOLD_ALREADY_LIFTED', 'The legal hold was lifted already.');
      await tx.update(
        LegalHoldEntity,
        { id },
        { liftedAt: new Date(), liftedBy: principal.subject, liftReason: input.reason },
      );
      await tx.insert(LegalHoldAuditEntity, {
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
    const hold = await this.dataSource.manager.findOne(LegalHoldEntity, { where: { id } });
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
    const rows = await this.dataSource.manager.find(LegalHoldEntity, {
      ...(organisations === undefined ? {} : { where: { organisationId: In(organisations) } }),
      order: { createdAt: 'DESC' },
      take: 1000,
    });
    return rows.map(toView);
  }

  async audit(principal: Principal): Promise<HoldAuditView[]> {
    const organisations = await this.readers.organisations(principal);
    const rows: LegalHoldAuditEntity[] =
      organisations === undefined
        ? await this.dataSource.manager.find(LegalHoldAuditEntity, { order: { id: 'ASC' }, take: 10000 })
        : await this.dataSource.manager
            .createQueryBuilder(LegalHoldAuditEntity, 'a')
            .innerJoin(LegalHoldEntity, 'h', 'h.id = a.holdId')
            .where('h.organisationId IN (:...organisations)', { organisations })
            .orderBy('a.id', 'ASC')
            .take(10000)
            .getMany();
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
