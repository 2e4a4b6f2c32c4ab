import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { isPlatformOperator } from '@divit/service-kit';
import type { Principal } from '@divit/service-kit';
import { todayInAmsterdam } from '../common/calendar-date';
import { EndMembershipDto, HousingStockDto, StartMembershipDto } from './dto/organisation-changes.dto';
import { OrganisationError } from './organisations.errors';
import { OrganisationEvents } from './organisation.events';
import { OrganisationScopeService } from './organisation-scope.service';
import {
  HousingStockAtView,
  HousingStockHistoryView,
  HousingStockRecordView,
  MembershipsView,
  MembershipView,
} from './dto/organisation-views.dto';
import { HousingStockRow, MembershipRow, OrganisationsRepository } from './organisations.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type { HousingStockAtView, HousingStockRecordView, MembershipsView, MembershipView };

/**
 * Members of route B/C organisations (housing allocators and collaborations) over time, and each member's
 * housing stock per date. Billing rebuilds both from MembershipStarted/MembershipEnded/HousingStockRecorded.
 */
@Injectable()
export class OrganisationMembershipsService {
  constructor(
    private readonly repository: OrganisationsRepository,
    private readonly events: OrganisationEvents,
    private readonly scope: OrganisationScopeService,
  ) {}

  /**
   * Memberships and housing stock are read by the platform operator, the organisation itself (or the one that
   * coordinates it) and its member corporations of today; anyone else learns nothing, not even that it exists.
   */
  async assertReadable(principal: Principal, organisationId: string): Promise<void> {
    if (isPlatformOperator(principal)) return;
    const today = todayInAmsterdam();
    if (await this.scope.canSee(principal, organisationId, today)) return;
    if (
      UUID.test(principal.organisationId) &&
      (await this.repository.isMemberOn(organisationId, principal.organisationId, today))
    )
      return;
    throw notFound();
  }

  async start(organisationId: string, input: StartMembershipDto): Promise<MembershipView> {
    return this.repository.transaction(async (tx) => {
      if (!(await this.repository.lock(tx, organisationId))) throw notFound();
      await this.assertCoordinatingOn(organisationId, input.validFrom, tx);
      const memberKind = await this.repository.kindOf(input.memberOrganisationId, tx);
      if (!memberKind) {
        throw new OrganisationError('MEMBER_UNKNOWN', 'The member must be a registered organisation.');
      }
      if (memberKind !== 'CORPORATION') {
        throw new OrganisationError(
          'MEMBER_NOT_A_CORPORATION',
          'Members of a housing allocator or collaboration are corporations.',
          { memberKind },
        );
      }
      const row: MembershipRow = {
        id: randomUUID(),
        organisationId,
        memberOrganisationId: input.memberOrganisationId,
        validFrom: input.validFrom,
        validTo: input.validTo ?? null,
      };
      if (
        (await this.repository.overlappingMembershipExists(tx, row)) ||
        // A copy: TypeORM's insert writes the generated columns (recordedAt) into the object it is given, which
        // then leaked into the response (found by the response-schemas spec).
        (await this.repository.insertMembership(tx, { ...row })) === 'overlaps'
      ) {
        throw new OrganisationError(
          'MEMBERSHIP_OVERLAPS',
          'The corporation is already a member of this organisation during (part of) this period.',
        );
      }
      await this.events.membershipStarted(tx, {
        organisationId,
        membershipId: row.id,
        memberOrganisationId: row.memberOrganisationId,
        validFrom: row.validFrom,
        validTo: row.validTo,
        occurredAt: Date.now(),
      });
      return row;
    });
  }

  /** Gives an open-ended membership its last day (inclusive). */
  async end(organisationId: string, membershipId: string, input: EndMembershipDto): Promise<MembershipView> {
    return this.repository.transaction(async (tx) => {
      if (!(await this.repository.lock(tx, organisationId))) throw notFound();
      const membership = await this.repository.findMembership(tx, organisationId, membershipId);
      if (!membership) {
        throw new OrganisationError('MEMBERSHIP_NOT_FOUND', 'No such membership of this organisation.');
      }
      if (membership.validTo !== null) {
        throw new OrganisationError('MEMBERSHIP_ALREADY_ENDED', 'The membership already has a last day.', {
          validTo: membership.validTo,
        });
      }
      if (input.validTo < membership.validFrom) {
        throw new OrganisationError(
          'MEMBERSHIP_END_BEFORE_START',
          'The last day of a membership cannot be before its first day.',
          { validFrom: membership.validFrom },
        );
      }
      // The primus inter pares stays a member while it is appointed (ADR 0035): appoint another one first.
      if (
        await this.repository.primusInterParesAfter(
          tx,
          organisationId,
          membership.memberOrganisationId,
          input.validTo,
        )
      ) {
        throw new OrganisationError(
          'MEMBER_IS_PRIMUS_INTER_PARES',
          'The corporation is the primus inter pares after this day: appoint another member corporation first.',
        );
      }
      await this.repository.endMembership(tx, membershipId, input.validTo);
      const ended = { ...membership, validTo: input.validTo };
      await this.events.membershipEnded(tx, {
        organisationId,
        membershipId,
        memberOrganisationId: ended.memberOrganisationId,
        validFrom: ended.validFrom,
        validTo: input.validTo,
        occurredAt: Date.now(),
      });
      return ended;
    });
  }

  async membershipsOn(organisationId: string, at: string = todayInAmsterdam()): Promise<MembershipsView> {
    await this.assertExists(organisationId);
    return { organisationId, at, memberships: await this.repository.memberships(organisationId, at) };
  }

  async membershipHistory(organisationId: string): Promise<MembershipsView> {
    await this.assertExists(organisationId);
    return { organisationId, at: null, memberships: await this.repository.memberships(organisationId) };
  }

  /** Records a member's housing stock from a date; the member must be a member on that date. */
  async recordHousingStock(organisationId: string, input: HousingStockDto): Promise<HousingStockRecordView> {
    return this.repository.transaction(async (tx) => {
      if (!(await this.repository.lock(tx, organisationId))) throw notFound();
      if (
        !(await this.repository.isMemberOn(
          organisationId,
          input.memberOrganisationId,
          input.effectiveFrom,
          tx,
        ))
      ) {
        throw new OrganisationError(
          'NOT_A_MEMBER_AT_DATE',
          'Housing stock can only be recorded for a member corporation, from a date on which it is a member.',
        );
      }
      const row: HousingStockRow = { organisationId, ...input };
      const { replaced } = await this.repository.upsertHousingStock(tx, row);
      await this.events.housingStockRecorded(tx, { ...row, occurredAt: Date.now() });
      return { ...row, replaced };
    });
  }

  async housingStockOn(organisationId: string, at: string = todayInAmsterdam()): Promise<HousingStockAtView> {
    await this.assertExists(organisationId);
    const members = await this.repository.housingStockOn(organisationId, at);
    return {
      organisationId,
      at,
      members,
      totalDwellings: members.reduce((sum, m) => sum + (m.dwellings ?? 0), 0),
    };
  }

  async housingStockHistory(organisationId: string): Promise<HousingStockHistoryView> {
    await this.assertExists(organisationId);
    return { organisationId, records: await this.repository.housingStockHistory(organisationId) };
  }

  private async assertExists(organisationId: string): Promise<void> {
    if (!(await this.repository.kindOf(organisationId))) throw notFound();
  }

  private async assertCoordinatingOn(
    organisationId: string,
    at: string,
    tx: Parameters<OrganisationsRepository['routeAt']>[2],
  ): Promise<void> {
    const route = await this.repository.routeAt(organisationId, at, tx);
    if (route?.route !== 'B' && route?.route !== 'C') {
      throw new OrganisationError(
        'NOT_A_COORDINATING_ORGANISATION',
        'Only a route B or C organisation (housing allocator or collaboration) has members, from a date on which it follows that route.',
        { route: route?.route ?? null, at },
      );
    }
  }
}

function notFound(): OrganisationError {
  return new OrganisationError('ORGANISATION_NOT_FOUND', 'No such organisation.');
}
