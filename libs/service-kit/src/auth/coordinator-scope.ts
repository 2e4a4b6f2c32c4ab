import { Inject, Injectable, Optional } from '@nestjs/common';
import { EntityManager, MigrationInterface, QueryRunner } from 'typeorm';
import {
  MembershipEndedEvent,
  MembershipStartedEvent,
  OrganisationRegisteredEvent,
  OrganisationRouteChangedEvent,
} from '@divit/contracts';
import type { ConsumedEvent, MessageOf } from '@divit/messaging';
import type { MessagingRuntime } from '../messaging-runtime';
import type { Principal } from './jwt';
import { isPlatformOperator } from './tenancy';

/**
 * Coordinator scope for services that do not own organisations (docs/adr/0018). registration owns organisations,
 * routes and memberships; a service that must let a route B/C coordinator act for its member corporations
 * learns them from registration's events into two tables of its own database (`organisation_routes`,
 * `organisation_memberships`, created by {@link CreateOrganisationScope1765500000000}) and asks
 * {@link OrganisationScope} at request time which organisations a caller may act for.
 *
 * The rule is registration's (`OrganisationScopeService`): on today's date (Europe/Amsterdam) a caller acts for its
 * own organisation and, when it coordinates route B or C organisations (a route B housing allocator coordinates
 * itself; a route C collaboration is coordinated by its primus inter pares and by itself), for those organisations
 * and their members with a membership in force today. An ended membership (its last day passed) stops access at
 * once; a membership event that arrives after the member's data changes nothing, because access is decided when
 * the request comes, from the projection as it is then.
 */
export const organisationScopeEvents = [
  OrganisationRegisteredEvent,
  OrganisationRouteChangedEvent,
  MembershipStartedEvent,
  MembershipEndedEvent,
] as const;

export type OrganisationScopeEvent = ConsumedEvent<MessageOf<typeof organisationScopeEvents>>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Today's calendar date in Europe/Amsterdam, computed by PostgreSQL (one clock for every replica). */
const TODAY = `(now() AT TIME ZONE 'Europe/Amsterdam')::date`;

/**
 * Where a service keeps its projection of registration's routes and memberships. The rule reads these columns:
 * routes `organisation_id`, `route`, `coordinator_organisation_id` and `routeFrom`; memberships `organisation_id`,
 * `member_organisation_id`, `valid_from`, `valid_to` and `membershipId`. Services with older projections of their
 * own (billing-reconciliation, consent) name their tables here and keep their storage; the rule is this one.
 */
export interface OrganisationScopeStorage {
  routes: string;
  /** The route's first day (Europe/Amsterdam calendar date). */
  routeFrom: string;
  /** Tie-break between two routes with the same first day, the greatest wins (none when the first day is a key). */
  routeOrder?: string;
  memberships: string;
  membershipId: string;
}

/** The tables of {@link CreateOrganisationScope1765500000000} (income-retrieval, retention-cleanup). */
export const SHARED_ORGANISATION_SCOPE_STORAGE: OrganisationScopeStorage = {
  routes: 'organisation_routes',
  routeFrom: 'valid_from',
  memberships: 'organisation_memberships',
  membershipId: 'membership_id',
};

/** Injection token for a service whose projection is not in the shared tables (optional). */
export const ORGANISATION_SCOPE_STORAGE = Symbol('ORGANISATION_SCOPE_STORAGE');

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

export type CoordinatedRoute = 'B' | 'C';

@Injectable()
export class OrganisationScope {
  private readonly storage: OrganisationScopeStorage;

  constructor(@Optional() @Inject(ORGANISATION_SCOPE_STORAGE) storage?: OrganisationScopeStorage) {
    this.storage = storage ?? SHARED_ORGANISATION_SCOPE_STORAGE;
    for (const name of Object.values(this.storage))
      if (typeof name === 'string' && !IDENTIFIER.test(name))
        throw new Error(`OrganisationScopeStorage: '${name}' is not a plain SQL identifier`);
  }

  /** Applies one of registration's organisation events (idempotent upserts; redelivery changes nothing). */
  async apply(em: EntityManager, event: OrganisationScopeEvent): Promise<void> {
    switch (event.type) {
      case 'nl.divit.registration.OrganisationRegistered': {
        const e = event.value;
        return this.recordRoute(em, e.organisationId, e.effectiveFrom, e.route, e.coordinatorOrganisationId);
      }
      case 'nl.divit.registration.OrganisationRouteChanged': {
        const e = event.value;
        return this.recordRoute(
          em,
          e.organisationId,
          e.effectiveFrom,
          e.newRoute,
          e.newCoordinatorOrganisationId,
        );
      }
      case 'nl.divit.registration.MembershipStarted':
      case 'nl.divit.registration.MembershipEnded':
        return this.recordMembership(em, event.value);
    }
  }

  /**
   * A route from its first day (upsert per organisation and first day). For storage whose first day is a key;
   * a projection that appends routes (consent: `routeOrder`) writes its own rows.
   */
  async recordRoute(
    em: EntityManager,
    organisationId: string,
    validFrom: string,
    route: string,
    coordinator: string | null,
  ): Promise<void> {
    const s = this.storage;
    await em.query(
      `INSERT INTO ${s.routes} (organisation_id, ${s.routeFrom}, route, coordinator_organisation_id)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (organisation_id, ${s.routeFrom})
       DO UPDATE SET route = EXCLUDED.route, coordinator_organisation_id = EXCLUDED.coordinator_organisation_id`,
      [organisationId, validFrom, route, coordinator],
    );
  }

  /**
   * A membership's state: the latest event per membership id carries it, and an end is never re-opened by a late
   * or redelivered start (its `validTo` is null).
   */
  async recordMembership(
    em: EntityManager,
    e: {
      membershipId: string;
      organisationId: string;
      memberOrganisationId: string;
      validFrom: string;
      validTo?: string | null;
    },
  ): Promise<void> {
    const s = this.storage;
    await em.query(
      `INSERT INTO ${s.memberships}
         (${s.membershipId}, organisation_id, member_organisation_id, valid_from, valid_to)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (${s.membershipId}) DO UPDATE SET valid_from = EXCLUDED.valid_from,
         valid_to = COALESCE(EXCLUDED.valid_to, ${s.memberships}.valid_to)`,
      [e.membershipId, e.organisationId, e.memberOrganisationId, e.validFrom, e.validTo ?? null],
    );
  }

  /** SQL: each organisation's route in force on `day` (a date expression), among organisations matching `where`. */
  private routesOn(day: string, where: string): string {
    const s = this.storage;
    return `SELECT DISTINCT ON (organisation_id) organisation_id, route, coordinator_organisation_id
              FROM ${s.routes}
             WHERE ${s.routeFrom} <= ${day} AND (${where})
             ORDER BY organisation_id, ${s.routeFrom} DESC${s.routeOrder ? `, ${s.routeOrder} DESC` : ''}`;
  }

  /** SQL: membership `m` in force on some day of [from, to] (date expressions, both days inclusive). */
  private static inForce(from: string, to: string): string {
    return `m.valid_from <= ${to} AND (m.valid_to IS NULL OR m.valid_to >= ${from})`;
  }

  /** SQL: the route B/C organisations that `$1` coordinates on `day` (a route C one: its PIP and itself). */
  private coordinatedOn(day: string): string {
    return `SELECT organisation_id, route FROM (${this.routesOn(
      day,
      `organisation_id = $1::uuid OR organisation_id IN
         (SELECT organisation_id FROM ${this.storage.routes} WHERE coordinator_organisation_id = $1::uuid)`,
    )}) r
     WHERE route IN ('B', 'C') AND (organisation_id = $1::uuid OR coordinator_organisation_id = $1::uuid)`;
  }

  /** The route of `organisationId` in force on `day` (YYYY-MM-DD), or null before its first route. */
  async routeOn(
    em: EntityManager,
    organisationId: string,
    day: string,
  ): Promise<{ route: 'A' | CoordinatedRoute; coordinatorOrganisationId: string | null } | null> {
    const rows = await em.query<{ route: string; coordinator: string | null }[]>(
      `SELECT trim(route) AS route, coordinator_organisation_id::text AS coordinator
         FROM (${this.routesOn('$2::date', 'organisation_id = $1::uuid')}) r`,
      [organisationId, day],
    );
    const row = rows[0];
    return row
      ? { route: row.route as 'A' | CoordinatedRoute, coordinatorOrganisationId: row.coordinator }
      : null;
  }

  /**
   * The route B/C organisations `organisationId` coordinates on `day` (YYYY-MM-DD), sorted by id: a route B
   * housing allocator coordinates itself; a route C collaboration is coordinated by its primus inter pares and by
   * itself.
   */
  async coordinatedOrganisations(
    em: EntityManager,
    organisationId: string,
    day: string,
  ): Promise<{ organisationId: string; route: CoordinatedRoute }[]> {
    if (!UUID.test(organisationId)) return [];
    const rows = await em.query<{ id: string; route: string }[]>(
      `SELECT organisation_id::text AS id, trim(route) AS route FROM (${this.coordinatedOn('$2::date')}) c
        ORDER BY organisation_id`,
      [organisationId, day],
    );
    return rows.map((r) => ({ organisationId: r.id, route: r.route as CoordinatedRoute }));
  }

  /**
   * The member corporations of `organisationIds` with a membership in force on some day of [from, to]
   * (YYYY-MM-DD, both inclusive; one day: `to` = `from`), distinct and sorted.
   */
  async membersOf(
    em: EntityManager,
    organisationIds: readonly string[],
    from: string,
    to: string = from,
  ): Promise<string[]> {
    if (organisationIds.length === 0) return [];
    const rows = await em.query<{ id: string }[]>(
      `SELECT DISTINCT m.member_organisation_id::text AS id FROM ${this.storage.memberships} m
        WHERE m.organisation_id = ANY($1::uuid[]) AND ${OrganisationScope.inForce('$2::date', '$3::date')}
        ORDER BY 1`,
      [organisationIds, from, to],
    );
    return rows.map((r) => r.id);
  }

  /**
   * The organisations the caller acts for today: its own and, as a route B/C coordinator, the organisations it
   * coordinates and their current members (sorted, own included). `at` (YYYY-MM-DD) only for tests.
   */
  async visibleOrganisationIds(
    em: EntityManager,
    principal: Pick<Principal, 'organisationId'>,
    at?: string,
  ): Promise<string[]> {
    const own = principal.organisationId;
    // Organisation ids are uuids; a principal acting for anything else (the platform operator) coordinates nothing.
    if (!UUID.test(own)) return [own];
    const day = at ? `$2::date` : TODAY;
    const rows = await em.query<{ id: string }[]>(
      `WITH coordinated AS (${this.coordinatedOn(day)})
       SELECT organisation_id::text AS id FROM coordinated
       UNION
       SELECT m.member_organisation_id::text FROM ${this.storage.memberships} m
         JOIN coordinated c ON c.organisation_id = m.organisation_id
        WHERE ${OrganisationScope.inForce(day, day)}`,
      at ? [own, at] : [own],
    );
    return [...new Set([own.toLowerCase(), ...rows.map((r) => r.id)])].sort();
  }

  /**
   * True when the caller acts for `organisationId` as a coordinator may: its own organisation, or one it
   * coordinates today (route B/C) or a current member of one. The platform operator is not answered here: each
   * endpoint decides what the operator may do (docs/adr/0014).
   */
  async coordinates(
    em: EntityManager,
    principal: Pick<Principal, 'organisationId'>,
    organisationId: string,
  ): Promise<boolean> {
    if (principal.organisationId.toLowerCase() === organisationId.toLowerCase()) return true;
    return (await this.visibleOrganisationIds(em, principal)).includes(organisationId.toLowerCase());
  }

  /** Like {@link coordinates}, and true for the platform operator. */
  async actsForOrCoordinates(
    em: EntityManager,
    principal: Pick<Principal, 'organisationId' | 'roles'>,
    organisationId: string,
  ): Promise<boolean> {
    return isPlatformOperator(principal) || this.coordinates(em, principal, organisationId);
  }
}

/**
 * Starts the consumer that keeps `organisation_routes` and `organisation_memberships` current, in its own group
 * (`<service>-organisations`): registration's organisations topic is read from its beginning (its retention is
 * unlimited), so a new deployment rebuilds every route and membership. Idempotent through the inbox and the
 * upserts; an event that cannot be stored is retried and dead-lettered like every other.
 */
export function startOrganisationScopeConsumer(
  messaging: MessagingRuntime,
  scope: OrganisationScope,
  options: { groupId: string; deadLetterTopic: string },
): Promise<unknown> {
  return messaging.startConsumer({
    groupId: options.groupId,
    descriptors: organisationScopeEvents,
    deadLetterTopic: options.deadLetterTopic,
    handle: (event, tx) => scope.apply(tx, event),
  });
}

/** The two projection tables; a service using {@link OrganisationScope} includes this migration in its list. */
export class CreateOrganisationScope1765500000000 implements MigrationInterface {
  name = 'CreateOrganisationScope1765500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE organisation_routes (
        organisation_id uuid NOT NULL,
        valid_from date NOT NULL,
        route char(1) NOT NULL CHECK (route IN ('A', 'B', 'C')),
        coordinator_organisation_id uuid,
        CONSTRAINT pk_organisation_routes PRIMARY KEY (organisation_id, valid_from)
      )`);
    await q.query(
      `CREATE INDEX ix_organisation_routes_coordinator ON organisation_routes (coordinator_organisation_id)`,
    );
    await q.query(`
      CREATE TABLE organisation_memberships (
        membership_id uuid NOT NULL,
        organisation_id uuid NOT NULL,
        member_organisation_id uuid NOT NULL,
        valid_from date NOT NULL,
        valid_to date,
        CONSTRAINT pk_organisation_memberships PRIMARY KEY (membership_id)
      )`);
    await q.query(
      `CREATE INDEX ix_organisation_memberships_organisation ON organisation_memberships (organisation_id)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE organisation_memberships`);
    await q.query(`DROP TABLE organisation_routes`);
  }
}

export const organisationScopeMigrations = [CreateOrganisationScope1765500000000];
