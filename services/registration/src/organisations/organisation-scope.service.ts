import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { OrganisationKind } from '@divit/contracts';
import type { Principal } from '@divit/service-kit';
import { OrganisationsRepository, RouteRow } from './organisations.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Which organisations' records a caller may see, for other modules (registrations, allocations).
 * A caller acts for one organisation (`principal.organisationId`). It sees that organisation and, on a date
 * on which it coordinates route B or C organisations, those organisations and their members:
 * - a route B housing allocator (it coordinates itself) sees itself and its member corporations;
 * - a route C collaboration sees itself and its members;
 * - the primus inter pares of a route C collaboration sees itself, the collaboration and its members;
 * - any other corporation sees only itself.
 *
 * A caller inside a transaction passes its manager (`tx`): the queries then run on the transaction's connection.
 * Without it they take a second pool connection while the transaction holds one, which deadlocks the pool under
 * load (issue 13); test/integration/pool-single-connection.integration-spec.ts guards this with a pool of one.
 */
@Injectable()
export class OrganisationScopeService {
  constructor(private readonly repository: OrganisationsRepository) {}

  async visibleOrganisationIds(
    principal: Pick<Principal, 'organisationId'>,
    at: string,
    tx?: EntityManager,
  ): Promise<string[]> {
    const own = principal.organisationId;
    // Organisation ids are uuids; a principal acting for anything else (e.g. the platform operator) coordinates nothing.
    if (!UUID.test(own)) return [own];
    const coordinated = await this.repository.coordinatedOn(own, at, tx);
    const members = await this.repository.membersOn(coordinated, at, tx);
    return [...new Set([own, ...coordinated, ...members])].sort();
  }

  async canSee(
    principal: Pick<Principal, 'organisationId'>,
    organisationId: string,
    at: string,
    tx?: EntityManager,
  ): Promise<boolean> {
    return (await this.visibleOrganisationIds(principal, at, tx)).includes(organisationId);
  }
}

/** Read-only organisation facts for other modules of this service (no writes, no events). */
@Injectable()
export class OrganisationDirectory {
  constructor(private readonly repository: OrganisationsRepository) {}

  kindOf(organisationId: string): Promise<OrganisationKind | null> {
    return this.repository.kindOf(organisationId);
  }

  routeOn(organisationId: string, at: string, tx?: EntityManager): Promise<RouteRow | null> {
    return this.repository.routeAt(organisationId, at, tx);
  }

  isMemberOn(
    organisationId: string,
    memberOrganisationId: string,
    at: string,
    tx?: EntityManager,
  ): Promise<boolean> {
    return this.repository.isMemberOn(organisationId, memberOrganisationId, at, tx);
  }

  /** The member corporations of the organisation on `at`. */
  membersOn(organisationId: string, at: string, tx?: EntityManager): Promise<string[]> {
    return this.repository.membersOn([organisationId], at, tx);
  }
}
