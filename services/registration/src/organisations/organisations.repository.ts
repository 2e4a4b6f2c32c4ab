import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import type { OrganisationKind, Route } from '@divit/contracts';
import { OrganisationEntity, OrganisationRouteEntity } from './organisation.entity';
import { HousingStockEntity, OrganisationMembershipEntity } from './organisation-membership.entity';

export interface RouteRow {
  effectiveFrom: string;
  route: Route;
  coordinatorOrganisationId: string | null;
}

export interface OrganisationRecord {
  id: string;
  name: string;
  kind: OrganisationKind;
  routes: RouteRow[];
}

export interface MembershipRow {
  id: string;
  organisationId: string;
  memberOrganisationId: string;
  validFrom: string;
  validTo: string | null;
}

export interface HousingStockRow {
  organisationId: string;
  memberOrganisationId: string;
  dwellings: number;
  effectiveFrom: string;
}

/** Postgres SQLSTATE of an exclusion-constraint violation. */
const EXCLUSION_VIOLATION = '23P01';

/** The only TypeORM user of the organisations module. */
@Injectable()
export class OrganisationsRepository {
  constructor(private readonly dataSource: DataSource) {}

  transaction<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  private em(tx?: EntityManager): EntityManager {
    return tx ?? this.dataSource.manager;
  }

  async nameTaken(em: EntityManager, name: string): Promise<boolean> {
    return (await em.count(OrganisationEntity, { where: { name } })) > 0;
  }

  async exists(em: EntityManager, id: string): Promise<boolean> {
    return (await em.count(OrganisationEntity, { where: { id } })) > 0;
  }

  async kindOf(id: string, tx?: EntityManager): Promise<OrganisationKind | null> {
    const row = await this.em(tx).findOne(OrganisationEntity, {
      where: { id },
      select: { id: true, kind: true },
    });
    return row ? (row.kind as OrganisationKind) : null;
  }

  /** Locks the organisation row for the rest of the transaction (serialises changes per organisation). */
  async lock(tx: EntityManager, id: string): Promise<{ id: string; kind: OrganisationKind } | null> {
    const row = await tx.findOne(OrganisationEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
    return row ? { id: row.id, kind: row.kind as OrganisationKind } : null;
  }

  async insert(em: EntityManager, record: OrganisationRecord): Promise<void> {
    await em.insert(OrganisationEntity, { id: record.id, name: record.name, kind: record.kind });
    await em.insert(
      OrganisationRouteEntity,
      record.routes.map((r) => ({ organisationId: record.id, ...r })),
    );
  }

  async insertRoute(tx: EntityManager, organisationId: string, row: RouteRow): Promise<void> {
    await tx.insert(OrganisationRouteEntity, { organisationId, ...row });
  }

  async find(id: string): Promise<OrganisationRecord | null> {
    const organisation = await this.dataSource.manager.findOne(OrganisationEntity, { where: { id } });
    if (!organisation) return null;
    return {
      id: organisation.id,
      name: organisation.name,
      kind: organisation.kind as OrganisationKind,
      routes: await this.routes(id),
    };
  }

  /** Route history, oldest first. */
  async routes(organisationId: string, tx?: EntityManager): Promise<RouteRow[]> {
    const rows = await this.em(tx).find(OrganisationRouteEntity, {
      where: { organisationId },
      order: { effectiveFrom: 'ASC' },
    });
    return rows.map((r) => ({
      effectiveFrom: r.effectiveFrom,
      route: r.route as Route,
      coordinatorOrganisationId: r.coordinatorOrganisationId,
    }));
  }

  /** The route in force on `at` (the latest row with effectiveFrom ≤ at), or null before the first. */
  async routeAt(organisationId: string, at: string, tx?: EntityManager): Promise<RouteRow | null> {
    const rows = await this.em(tx).query<RouteRow[]>(
      `SELECT effective_from::text AS "effectiveFrom", route, coordinator_organisation_id AS "coordinatorOrganisationId"
         FROM organisation_routes
        WHERE organisation_id = $1 AND effective_from <= $2::date
        ORDER BY effective_from DESC
        LIMIT 1`,
      [organisationId, at],
    );
    return rows[0] ?? null;
  }

  /**
   * Route B/C organisations that `organisationId` coordinates on `at`: itself if it is on route B or C then,
   * and every route C collaboration whose primus inter pares it is then.
   */
  async coordinatedOn(organisationId: string, at: string, tx?: EntityManager): Promise<string[]> {
    const rows = await this.em(tx).query<{ id: string }[]>(
      `SELECT id FROM (
         SELECT DISTINCT ON (organisation_id) organisation_id AS id, route, coordinator_organisation_id
           FROM organisation_routes
          WHERE effective_from <= $2::date
            AND (organisation_id = $1
                 OR organisation_id IN (SELECT organisation_id FROM organisation_routes WHERE coordinator_organisation_id = $1))
          ORDER BY organisation_id, effective_from DESC
       ) current
       WHERE route IN ('B', 'C') AND (id = $1 OR coordinator_organisation_id = $1)`,
      [organisationId, at],
    );
    return rows.map((r) => r.id);
  }

  // ------------------------------------------------------------------ memberships

  /** Inserts a membership; 'overlaps' when the database's exclusion constraint refuses the period. */
  async insertMembership(tx: EntityManager, row: MembershipRow): Promise<'inserted' | 'overlaps'> {
    try {
      // A savepoint keeps the caller's transaction usable when the constraint fires.
      await tx.transaction((inner) => inner.insert(OrganisationMembershipEntity, row));
      return 'inserted';
    } catch (error) {
      if (
        error instanceof QueryFailedError &&
        (error.driverError as { code?: string }).code === EXCLUSION_VIOLATION
      ) {
        return 'overlaps';
      }
      throw error;
    }
  }

  async overlappingMembershipExists(
    tx: EntityManager,
    row: Pick<MembershipRow, 'organisationId' | 'memberOrganisationId' | 'validFrom' | 'validTo'>,
  ): Promise<boolean> {
    const rows = await tx.query<unknown[]>(
      `SELECT 1 FROM organisation_memberships
        WHERE organisation_id = $1 AND member_organisation_id = $2
          AND daterange(valid_from, valid_to, '[]') && daterange($3::date, $4::date, '[]')
        LIMIT 1`,
      [row.organisationId, row.memberOrganisationId, row.validFrom, row.validTo],
    );
    return rows.length > 0;
  }

  async findMembership(
    tx: EntityManager,
    organisationId: string,
    membershipId: string,
  ): Promise<MembershipRow | null> {
    const row = await tx.findOne(OrganisationMembershipEntity, {
      where: { id: membershipId, organisationId },
    });
    return row ? toMembershipRow(row) : null;
  }

  async endMembership(tx: EntityManager, membershipId: string, validTo: string): Promise<void> {
    await tx.update(
      OrganisationMembershipEntity,
      { id: membershipId },
      { validTo, endRecordedAt: new Date() },
    );
  }

  /** Memberships of the organisation in force on `at`, or all of them (history) when `at` is undefined. */
  async memberships(organisationId: string, at?: string): Promise<MembershipRow[]> {
    const rows = await this.dataSource.query<MembershipRow[]>(
      `SELECT id, organisation_id AS "organisationId", member_organisation_id AS "memberOrganisationId",
              valid_from::text AS "validFrom", valid_to::text AS "validTo"
         FROM organisation_memberships
        WHERE organisation_id = $1
          AND ($2::date IS NULL OR (valid_from <= $2::date AND (valid_to IS NULL OR valid_to >= $2::date)))
        ORDER BY valid_from, member_organisation_id`,
      [organisationId, at ?? null],
    );
    return rows;
  }

  /** Members of any of the organisations on `at`. */
  async membersOn(organisationIds: readonly string[], at: string, tx?: EntityManager): Promise<string[]> {
    if (organisationIds.length === 0) return [];
    const rows = await this.em(tx).query<{ id: string }[]>(
      `SELECT DISTINCT member_organisation_id AS id FROM organisation_memberships
        WHERE organisation_id = ANY($1::uuid[])
          AND valid_from <= $2::date AND (valid_to IS NULL OR valid_to >= $2::date)`,
      [organisationIds, at],
    );
    return rows.map((r) => r.id);
  }

  async isMemberOn(
    organisationId: string,
    memberOrganisationId: string,
    at: string,
    tx?: EntityManager,
  ): Promise<boolean> {
    const rows = await this.em(tx).query<unknown[]>(
      `SELECT 1 FROM organisation_memberships
        WHERE organisation_id = $1 AND member_organisation_id = $2
          AND valid_from <= $3::date AND (valid_to IS NULL OR valid_to >= $3::date)
        LIMIT 1`,
      [organisationId, memberOrganisationId, at],
    );
    return rows.length > 0;
  }

  /**
   * Whether `memberOrganisationId` is the route C primus inter pares of the organisation on any day after
   * `lastDay` (the route in force the day after, or any later route change).
   */
  async primusInterParesAfter(
    tx: EntityManager,
    organisationId: string,
    memberOrganisationId: string,
    lastDay: string,
  ): Promise<boolean> {
    const rows = await tx.query<unknown[]>(
      `SELECT 1 FROM organisation_routes r
        WHERE r.organisation_id = $1 AND r.route = 'C' AND r.coordinator_organisation_id = $2
          AND (r.effective_from > $3::date
               OR r.effective_from = (SELECT max(effective_from) FROM organisation_routes
                                       WHERE organisation_id = $1 AND effective_from <= $3::date + 1))
        LIMIT 1`,
      [organisationId, memberOrganisationId, lastDay],
    );
    return rows.length > 0;
  }

  // ------------------------------------------------------------------ housing stock

  /** Records a figure; a second figure for the same member and date replaces (corrects) the first. */
  async upsertHousingStock(tx: EntityManager, row: HousingStockRow): Promise<{ replaced: boolean }> {
    const rows = await tx.query<{ replaced: boolean }[]>(
      `INSERT INTO housing_stock (organisation_id, member_organisation_id, effective_from, dwellings)
       VALUES ($1, $2, $3::date, $4)
       ON CONFLICT (organisation_id, member_organisation_id, effective_from)
       DO UPDATE SET dwellings = EXCLUDED.dwellings, recorded_at = now()
       RETURNING (xmax <> 0) AS replaced`,
      [row.organisationId, row.memberOrganisationId, row.effectiveFrom, row.dwellings],
    );
    return { replaced: rows[0]?.replaced ?? false };
  }

  /** For each member of the organisation on `at`: the figure in force then (null if none was recorded). */
  async housingStockOn(
    organisationId: string,
    at: string,
  ): Promise<{ memberOrganisationId: string; dwellings: number | null; effectiveFrom: string | null }[]> {
    return this.dataSource.query(
      `SELECT m.member_organisation_id AS "memberOrganisationId", s.dwellings, s.effective_from::text AS "effectiveFrom"
         FROM (SELECT DISTINCT member_organisation_id FROM organisation_memberships
                WHERE organisation_id = $1 AND valid_from <= $2::date AND (valid_to IS NULL OR valid_to >= $2::date)) m
         LEFT JOIN LATERAL (
               SELECT dwellings, effective_from FROM housing_stock h
                WHERE h.organisation_id = $1 AND h.member_organisation_id = m.member_organisation_id
                  AND h.effective_from <= $2::date
                ORDER BY h.effective_from DESC LIMIT 1) s ON true
        ORDER BY m.member_organisation_id`,
      [organisationId, at],
    );
  }

  async housingStockHistory(organisationId: string): Promise<HousingStockRow[]> {
    const rows = await this.dataSource.manager.find(HousingStockEntity, {
      where: { organisationId },
      order: { memberOrganisationId: 'ASC', effectiveFrom: 'ASC' },
    });
    return rows.map((r) => ({
      organisationId: r.organisationId,
      memberOrganisationId: r.memberOrganisationId,
      dwellings: r.dwellings,
      effectiveFrom: r.effectiveFrom,
    }));
  }
}

function toMembershipRow(row: OrganisationMembershipEntity): MembershipRow {
  return {
    id: row.id,
    organisationId: row.organisationId,
    memberOrganisationId: row.memberOrganisationId,
    validFrom: row.validFrom,
    validTo: row.validTo,
  };
}
