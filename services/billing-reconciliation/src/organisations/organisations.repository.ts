import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type {
  AllocationRecorded,
  HousingStockRecorded,
  MembershipEnded,
  MembershipStarted,
  OrganisationRegistered,
  OrganisationRouteChanged,
} from '@divit/contracts';
import { OrganisationScope } from '@divit/service-kit';

export type Route = 'A' | 'B' | 'C';

/** Who pays an invoice and over whom it is split, for one period. */
export interface PayerScope {
  payerOrganisationId: string;
  route: Route;
  /** The route B/C organisation whose costs the payer settles (null for route A). */
  collaborationId: string | null;
  /** Member corporations with a membership overlapping the period (route A: the payer itself). */
  memberIds: string[];
  /** Organisations whose usage belongs on this payer's invoice. */
  organisationIds: string[];
}

/**
 * Billing's projection (`organisation_routes`, `memberships`) read and written by the shared coordinator rule
 * (ADR 0018); only the table names are billing's.
 */
const billingScope = new OrganisationScope({
  routes: 'organisation_routes',
  routeFrom: 'valid_from',
  memberships: 'memberships',
  membershipId: 'membership_id',
});

/** The registration facts billing needs, rebuilt from registration's events (idempotent upserts). */
@Injectable()
export class OrganisationsRepository {
  async registered(em: EntityManager, e: OrganisationRegistered): Promise<void> {
    await em.query(
      `INSERT INTO organisations (organisation_id, name, kind) VALUES ($1, $2, $3)
       ON CONFLICT (organisation_id) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind`,
      [e.organisationId, e.name, e.kind],
    );
    await this.route(em, e.organisationId, e.effectiveFrom, e.route, e.coordinatorOrganisationId);
  }

  async routeChanged(em: EntityManager, e: OrganisationRouteChanged): Promise<void> {
    await this.route(em, e.organisationId, e.effectiveFrom, e.newRoute, e.newCoordinatorOrganisationId);
  }

  private async route(
    em: EntityManager,
    organisationId: string,
    validFrom: string,
    route: string,
    coordinator: string | null,
  ): Promise<void> {
    await billingScope.recordRoute(em, organisationId, validFrom, route, coordinator);
  }

  async membership(em: EntityManager, e: MembershipStarted | MembershipEnded): Promise<void> {
    // The latest event per membership id carries its full state; an end never re-opens (the shared rule).
    await billingScope.recordMembership(em, e);
  }

  async housingStock(em: EntityManager, e: HousingStockRecorded): Promise<void> {
    await em.query(
      `INSERT INTO housing_stock (organisation_id, member_organisation_id, effective_from, dwellings)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (organisation_id, member_organisation_id, effective_from) DO UPDATE SET dwellings = EXCLUDED.dwellings`,
      [e.organisationId, e.memberOrganisationId, e.effectiveFrom, e.dwellings],
    );
  }

  async allocation(em: EntityManager, e: AllocationRecorded): Promise<void> {
    await em.query(
      `INSERT INTO allocations (allocation_id, organisation_id, letting_corporation_id, occurred_at)
       VALUES ($1, $2, $3, $4) ON CONFLICT (allocation_id) DO NOTHING`,
      [e.allocationId, e.organisationId, e.lettingCorporationId, new Date(e.occurredAt).toISOString()],
    );
  }

  /** The ids among `organisationIds` that are registered organisations (one query). */
  async existing(em: EntityManager, organisationIds: readonly string[]): Promise<Set<string>> {
    if (organisationIds.length === 0) return new Set();
    const rows = await em.query<{ id: string }[]>(
      `SELECT organisation_id::text AS id FROM organisations WHERE organisation_id = ANY($1::uuid[])`,
      [organisationIds],
    );
    return new Set(rows.map((r) => r.id));
  }

  /** The names of the given organisations, by id (organisations not known are left out). */
  async names(em: EntityManager, organisationIds: readonly string[]): Promise<Record<string, string>> {
    const rows = await em.query<{ organisation_id: string; name: string }[]>(
      `SELECT organisation_id, name FROM organisations WHERE organisation_id = ANY($1::uuid[])`,
      [organisationIds],
    );
    return Object.fromEntries(rows.map((r) => [r.organisation_id, r.name]));
  }

  async exists(em: EntityManager, organisationId: string): Promise<boolean> {
    const rows = await em.query<unknown[]>(`SELECT 1 FROM organisations WHERE organisation_id = $1`, [
      organisationId,
    ]);
    return rows.length > 0;
  }

  /**
   * The route in force on the first day of the period decides, by the shared coordinator rule (ADR 0018): the
   * payer settles for the route B/C organisation it coordinates on that day (route B: the allocator itself;
   * route C: its primus inter pares, or the collaboration itself), over the members with a membership on any day
   * of the period; otherwise it is a route A corporation paying its own invoice.
   */
  async scope(
    em: EntityManager,
    payer: string,
    periodStart: string,
    periodEnd: string,
  ): Promise<PayerScope | null> {
    if (!(await this.exists(em, payer))) return null;
    const [collaboration] = await billingScope.coordinatedOrganisations(em, payer, periodStart);
    if (!collaboration) {
      const own = await billingScope.routeOn(em, payer, periodStart);
      return {
        payerOrganisationId: payer,
        route: own?.route ?? 'A',
        collaborationId: null,
        memberIds: [payer],
        organisationIds: [payer],
      };
    }
    const memberIds = await billingScope.membersOf(
      em,
      [collaboration.organisationId],
      periodStart,
      periodEnd,
    );
    return {
      payerOrganisationId: payer,
      route: collaboration.route,
      collaborationId: collaboration.organisationId,
      memberIds,
      organisationIds: [...new Set([collaboration.organisationId, payer])],
    };
  }

  /** Dwellings per member in force on the last day of the period. */
  async housingStockWeights(
    em: EntityManager,
    collaborationId: string,
    periodEnd: string,
  ): Promise<Record<string, number>> {
    const rows = await em.query<{ member_organisation_id: string; dwellings: number }[]>(
      `SELECT DISTINCT ON (member_organisation_id) member_organisation_id, dwellings
         FROM housing_stock WHERE organisation_id = $1 AND effective_from <= $2::date
        ORDER BY member_organisation_id, effective_from DESC`,
      [collaborationId, periodEnd],
    );
    return Object.fromEntries(rows.map((r) => [r.member_organisation_id, Number(r.dwellings)]));
  }

  /** Allocations per letting member recorded in the period (Amsterdam calendar days). */
  async allocationWeights(
    em: EntityManager,
    collaborationId: string,
    periodStart: string,
    periodEnd: string,
  ): Promise<Record<string, number>> {
    const rows = await em.query<{ letting_corporation_id: string; n: string }[]>(
      `SELECT letting_corporation_id, count(*) AS n FROM allocations
        WHERE organisation_id = $1
          AND occurred_at >= ($2::date)::timestamp AT TIME ZONE 'Europe/Amsterdam'
          AND occurred_at < ($3::date + 1)::timestamp AT TIME ZONE 'Europe/Amsterdam'
        GROUP BY letting_corporation_id`,
      [collaborationId, periodStart, periodEnd],
    );
    return Object.fromEntries(rows.map((r) => [r.letting_corporation_id, Number(r.n)]));
  }
}
