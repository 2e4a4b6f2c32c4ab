import { randomUUID } from 'node:crypto';
import {
  HousingStockRecordedEvent,
  MembershipStartedEvent,
  OrganisationRegisteredEvent,
  UsageRecorded,
  UsageRecordedEvent,
} from '@divit/contracts';
import { ServiceTestApp } from '@divit/testing';
import { AppModule } from '../../src/app.module';
import { BillingConfig, loadBillingConfig } from '../../src/config/billing.config';
import { billingDataSourceOptions } from '../../src/database/data-source';

export type { HttpResult, ReceivedEvent } from '@divit/testing';
export { pdfText, eventually } from '@divit/testing';

/** The billing-reconciliation service on the real stack (see ServiceTestApp in libs/testing). */
export class BillingTestApp extends ServiceTestApp<BillingConfig> {
  constructor(env: Record<string, string> = {}) {
    super({
      env,
      service: 'billing-reconciliation',
      loadConfig: (env) => loadBillingConfig(env),
      dataSourceOptions: billingDataSourceOptions,
      appModule: (config) => AppModule.forRoot(config),
      observe: ['dlqBillingReconciliation'],
    });
  }

  /** Plays registration: an organisation with its route (and coordinator) from 2024-01-01. */
  async organisation(
    name: string,
    kind: 'CORPORATION' | 'HOUSING_ALLOCATOR' | 'COLLABORATION',
    route: 'A' | 'B' | 'C',
    coordinator: string | null = null,
    id = randomUUID(),
  ): Promise<string> {
    await this.publish(OrganisationRegisteredEvent, [
      {
        key: id,
        value: {
          organisationId: id,
          name,
          kind,
          route,
          coordinatorOrganisationId: route === 'B' ? (coordinator ?? id) : coordinator,
          effectiveFrom: '2024-01-01',
          occurredAt: Date.parse('2024-01-01T08:00:00Z'),
        },
      },
    ]);
    return id;
  }

  async member(organisationId: string, memberId: string, dwellings: number): Promise<void> {
    await this.publish(MembershipStartedEvent, [
      {
        key: organisationId,
        value: {
          organisationId,
          membershipId: randomUUID(),
          memberOrganisationId: memberId,
          validFrom: '2024-01-01',
          validTo: null,
          occurredAt: Date.parse('2024-01-01T08:00:00Z'),
        },
      },
    ]);
    await this.publish(HousingStockRecordedEvent, [
      {
        key: organisationId,
        value: {
          organisationId,
          memberOrganisationId: memberId,
          dwellings,
          effectiveFrom: '2024-01-01',
          occurredAt: Date.parse('2024-01-01T08:00:00Z'),
        },
      },
    ]);
  }

  /** Plays identity-validation: usage events (one Kafka message each). */
  async usage(usages: UsageRecorded[]): Promise<void> {
    await this.publish(
      UsageRecordedEvent,
      usages.map((u) => ({ key: u.sessionId, value: u })),
    );
  }

  async waitForRows(table: string, n: number, where = 'true'): Promise<number> {
    const deadline = Date.now() + 30_000;
    let found = 0;
    while (Date.now() < deadline) {
      const rows = await this.query<{ c: number }>(`SELECT count(*)::int AS c FROM ${table} WHERE ${where}`);
      found = Number(rows[0]?.c);
      if (found >= n) return found;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return found;
  }
}

export function usageOf(
  organisationId: string,
  unit: 'DIGID_LOGIN' | 'DATA_SHARING',
  occurredAt: string,
  lettingCorporationId: string | null = null,
  usageId = randomUUID(),
): UsageRecorded {
  return {
    usageId,
    unit,
    organisationId,
    lettingCorporationId,
    allocationId: lettingCorporationId ? randomUUID() : null,
    purpose: lettingCorporationId ? 'BSN_AND_INCOME_AT_ALLOCATION' : 'BSN_AT_REGISTRATION',
    sessionId: randomUUID(),
    occurredAt: Date.parse(occurredAt),
  };
}

export const times = <T>(n: number, make: (i: number) => T): T[] =>
  Array.from({ length: n }, (_, i) => make(i));
