import { Injectable } from '@nestjs/common';
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

@Injectable()
export class OrganisationScope {
  /** Applies one of registration's organisation events (idempotent upserts; redelivery changes nothing). */
  async apply(em: EntityManager, event: OrganisationScopeEvent): Promise<void> {
    switch (event.type) {
      case 'nl.divit.registration.OrganisationRegistered': {
        const e = event.value;
        return this.route(em, e.organisationId, e.effectiveFrom, e.route, e.coordinatorOrganisationId);
      }
      case 'nl.divit.registration.OrganisationRouteChanged': {
        const e = event.value;
        return this.route(em, e.organisationId, e.effectiveFrom, e.newRoute, e.newCoordinatorOrganisationId);
      }
      case 'nl.divit.registration.MembershipStarted':
      case 'nl.divit.registration.MembershipEnded': {
        // The latest event per membership id carries its full state; an end is never re-opened by a late start.
        const e = event.value;
        await em.query(
          `INSERT INTO organisation_memberships
             (membership_id, organisation_id, member_organisation_id, valid_from, valid_to)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (membership_id) DO UPDATE SET valid_from = EXCLUDED.valid_from,
             valid_to = COALESCE(EXCLUDED.valid_to, organisation_memberships.valid_to)`,
          [e.membershipId, e.organisationId, e.memberOrganisationId, e.validFrom, e.validTo ?? null],
        );
        return;
      }
    }
  }

  private async route(
    em: EntityManager,
    organisationId: string,
    validFrom: string,
    route: string,
    coordinator: string | null,
  ): Promise<void> {
    await em.query(
      `INSERT INTO organisation_routes (organisation_id, valid_from, route, coordinator_organisation_id)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (organisation_id, valid_from)
       DO UPDATE SET route = EXCLUDED.route, coordinator_organisation_id = EXCLUDED.coordinator_organisation_id`,
      [organisationId, validFrom, route, coordinator],
    );
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
      `WITH current_routes AS (
         SELECT DISTINCT ON (organisation_id) organisation_id, route, coordinator_organisation_id
           FROM organisation_routes
          WHERE valid_from <= ${day}
            AND (organisation_id = $1::uuid OR organisation_id IN
                  (SELECT organisation_id FROM organisation_routes WHERE coordinator_organisation_id = $1::uuid))
          ORDER BY organisation_id, valid_from DESC
       ), coordinated AS (
         SELECT organisation_id FROM current_routes
          WHERE route IN ('B', 'C') AND (organisation_id = $1::uuid OR coordinator_organisation_id = $1::uuid)
       )
       SELECT organisation_id::text AS id FROM coordinated
       UNION
       SELECT m.member_organisation_id::text FROM organisation_memberships m
         JOIN coordinated c ON c.organisation_id = m.organisation_id
        WHERE m.valid_from <= ${day} AND (m.valid_to IS NULL OR m.valid_to >= ${day})`,
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
