import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { OrganisationEntity, OrganisationRouteEntity } from './organisation.entity';

export interface OrganisationRecord {
  id: string;
  name: string;
  kind: string;
  routes: { effectiveFrom: string; route: string; coordinatorOrganisationId: string | null }[];
}

/** The only TypeORM user of the organisations module. */
@Injectable()
export class OrganisationsRepository {
  constructor(private readonly dataSource: DataSource) {}

  transaction<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  async nameTaken(em: EntityManager, name: string): Promise<boolean> {
    return (await em.count(OrganisationEntity, { where: { name } })) > 0;
  }

  async exists(em: EntityManager, id: string): Promise<boolean> {
    return (await em.count(OrganisationEntity, { where: { id } })) > 0;
  }

  async insert(em: EntityManager, record: OrganisationRecord): Promise<void> {
    await em.insert(OrganisationEntity, { id: record.id, name: record.name, kind: record.kind });
    await em.insert(
      OrganisationRouteEntity,
      record.routes.map((r) => ({ organisationId: record.id, ...r })),
    );
  }

  async find(id: string): Promise<OrganisationRecord | null> {
    const organisation = await this.dataSource.manager.findOne(OrganisationEntity, { where: { id } });
    if (!organisation) return null;
    const routes = await this.dataSource.manager.find(OrganisationRouteEntity, {
      where: { organisationId: id },
      order: { effectiveFrom: 'ASC' },
    });
    return {
      id: organisation.id,
      name: organisation.name,
      kind: organisation.kind,
      routes: routes.map((r) => ({
        effectiveFrom: r.effectiveFrom,
        route: r.route,
        coordinatorOrganisationId: r.coordinatorOrganisationId,
      })),
    };
  }
}
