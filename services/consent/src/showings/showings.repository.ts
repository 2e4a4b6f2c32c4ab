import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ShowingEntity } from './showing.entity';

/** Proofs of showing (ADR 0025: the only place that queries showings). */
@Injectable()
export class ShowingsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(row: ShowingEntity, em: EntityManager = this.dataSource.manager): Promise<void> {
    await em.insert(ShowingEntity, row);
  }

  byId(id: string, em: EntityManager = this.dataSource.manager): Promise<ShowingEntity | null> {
    return em.findOne(ShowingEntity, { where: { id } });
  }

  /** An organisation's showings for one allocation, oldest first. */
  forAllocation(organisationId: string, allocationId: string): Promise<ShowingEntity[]> {
    return this.dataSource.manager.find(ShowingEntity, {
      where: { allocationId, organisationId },
      order: { shownAt: 'ASC' },
    });
  }

  /** An organisation's showings for one registration, oldest first. */
  forRegistration(organisationId: string, registrationId: string): Promise<ShowingEntity[]> {
    return this.dataSource.manager.find(ShowingEntity, {
      where: { registrationId, organisationId },
      order: { shownAt: 'ASC' },
    });
  }
}
