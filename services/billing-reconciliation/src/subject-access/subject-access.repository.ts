import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { subjectAccessRecord } from '@divit/service-kit';

export interface BilledAllocation {
  allocationId: string;
  organisationId: string;
  lettingCorporationId: string;
  occurredAt: string;
}

/** What billing holds about given allocations (ADR 0025: the feature's only TypeORM user). */
@Injectable()
export class SubjectAccessRepository {
  constructor(private readonly dataSource: DataSource) {}

  async allocations(allocationIds: readonly string[]): Promise<BilledAllocation[]> {
    if (allocationIds.length === 0) return [];
    const rows = await this.dataSource.query<
      { allocation_id: string; organisation_id: string; letting_corporation_id: string; occurred_at: Date }[]
    >(
      `SELECT allocation_id::text, organisation_id::text, letting_corporation_id::text, occurred_at
         FROM allocations WHERE allocation_id = ANY($1::uuid[]) ORDER BY occurred_at, allocation_id`,
      [allocationIds],
    );
    return rows.map((r) => ({
      allocationId: r.allocation_id,
      organisationId: r.organisation_id,
      lettingCorporationId: r.letting_corporation_id,
      occurredAt: r.occurred_at.toISOString(),
    }));
  }

  async usage(allocationIds: readonly string[]): Promise<Record<string, unknown>[]> {
    if (allocationIds.length === 0) return [];
    const rows = await this.dataSource.query<Record<string, unknown>[]>(
      `SELECT usage_id AS "usageId", unit, allocation_id AS "allocationId", organisation_id AS "organisationId",
              letting_corporation_id AS "lettingCorporationId", purpose, occurred_at AS "occurredAt",
              received_at AS "receivedAt", late
         FROM usage_records WHERE allocation_id = ANY($1::uuid[]) ORDER BY occurred_at, usage_id`,
      [allocationIds],
    );
    return rows.map(subjectAccessRecord);
  }
}
