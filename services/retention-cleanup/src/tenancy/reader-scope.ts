import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { isPlatformOperator, OrganisationScope } from '@divit/service-kit';
import type { Principal } from '@divit/service-kit';

/**
 * Whose retention records a caller may read (docs/adr/0014, docs/adr/0018): the platform operator every
 * organisation's (`undefined`); anyone else its own organisation's and, as a route B/C coordinator (housing
 * allocator or primus inter pares), those of the organisations it coordinates and of their member corporations
 * with a membership in force today. Reads only: a coordinator never changes a member's overrides or holds.
 */
@Injectable()
export class ReaderScope {
  constructor(
    private readonly dataSource: DataSource,
    private readonly scope: OrganisationScope,
  ) {}

  async organisations(principal: Principal, em?: EntityManager): Promise<string[] | undefined> {
    if (isPlatformOperator(principal)) return undefined;
    return this.scope.visibleOrganisationIds(em ?? this.dataSource.manager, principal);
  }

  /** True when the caller may read `organisationId`'s records. */
  async mayRead(principal: Principal, organisationId: string, em?: EntityManager): Promise<boolean> {
    const visible = await this.organisations(principal, em);
    return visible === undefined || visible.includes(organisationId.toLowerCase());
  }
}
