import { randomUUID } from 'node:crypto';
import {
  AllocationRecorded,
  AllocationRecordedEvent,
  ConsentGrantedEvent,
  ConsentWithdrawnEvent,
  IdentityValidationFailedEvent,
  IncomeShared,
  IncomeSharedEvent,
} from '@divit/contracts';
import type { TopicKey } from '@divit/contracts';
import { ReceivedEvent, ServiceTestApp } from '@divit/testing';
import { AppModule } from '../../src/app.module';
import { IncomeRetrievalConfig, loadIncomeRetrievalConfig } from '../../src/config/income-retrieval.config';
import { incomeRetrievalDataSourceOptions } from '../../src/database/data-source';

export { fieldsOf, pdfText, eventually } from '@divit/testing';
export type { HttpResult, ReceivedEvent } from '@divit/testing';

/** The income-retrieval service on the real stack; the test plays registration, consent and identity-validation. */
export class IncomeTestApp extends ServiceTestApp<IncomeRetrievalConfig> {
  constructor(env: Record<string, string> = {}, observe: TopicKey[] = []) {
    super({
      service: 'income-retrieval',
      observe,
      loadConfig: (e) => loadIncomeRetrievalConfig(e),
      dataSourceOptions: incomeRetrievalDataSourceOptions,
      appModule: (config) => AppModule.forRoot(config),
      env: { EXPIRY_SWEEP_INTERVAL_MS: '0', ...env },
    });
  }

  decisionsFor(allocationId: string): ReceivedEvent[] {
    return this.received.filter(
      (e) =>
        e.type === 'nl.divit.incomeretrieval.IncomeDecisionMade' && e.value.allocationId === allocationId,
    );
  }

  async decisionFor(allocationId: string): Promise<Record<string, unknown>> {
    const [d] = await this.eventsMatching(
      (e) =>
        e.type === 'nl.divit.incomeretrieval.IncomeDecisionMade' && e.value.allocationId === allocationId,
      1,
    );
    if (!d) throw new Error(`no decision for ${allocationId}`);
    return d.value;
  }

  /** Resolves once the consumer has stored the event (its inbox row exists). */
  async processed(eventId: string): Promise<boolean> {
    const rows = await this.eventuallyRows(`SELECT 1 FROM inbox_messages WHERE event_id = $1`, [eventId]);
    return rows > 0;
  }

  async eventuallyRows(sql: string, params: unknown[], atLeast = 1): Promise<number> {
    const deadline = Date.now() + 30_000;
    let n = (await this.query(sql, params)).length;
    while (n < atLeast && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      n = (await this.query(sql, params)).length;
    }
    return n;
  }
}

export interface Household {
  allocation: AllocationRecorded;
  homeSeeker: string;
  coResidents: string[];
  children: string[];
}

/** A household: the home seeker, `adults` adult co-residents and `children` children. */
export function household(
  opts: {
    adults?: number;
    children?: number;
    leaseStartDate?: string;
    monthlyRentCents?: number;
    exemptionGroup?: AllocationRecorded['exemptionGroup'];
    organisationId?: string;
    lettingCorporationId?: string;
    occurredAt?: number;
  } = {},
): Household {
  const homeSeeker = randomUUID();
  const coResidents = Array.from({ length: opts.adults ?? 0 }, () => randomUUID());
  const children = Array.from({ length: opts.children ?? 0 }, () => randomUUID());
  return {
    homeSeeker,
    coResidents,
    children,
    allocation: {
      allocationId: randomUUID(),
      registrationId: randomUUID(),
      organisationId: opts.organisationId ?? ORG,
      lettingCorporationId: opts.lettingCorporationId ?? CORP,
      leaseStartDate: opts.leaseStartDate ?? '2025-07-01',
      monthlyRentCents: opts.monthlyRentCents ?? 65_000,
      exemptionGroup: opts.exemptionGroup ?? null,
      members: [
        { memberId: homeSeeker, role: 'HOME_SEEKER', adult: true },
        ...coResidents.map((memberId) => ({ memberId, role: 'CO_RESIDENT' as const, adult: true })),
        ...children.map((memberId) => ({ memberId, role: 'CO_RESIDENT' as const, adult: false })),
      ],
      occurredAt: opts.occurredAt ?? Date.now(),
    },
  };
}

export const ORG = randomUUID();
export const CORP = randomUUID();

/** subjectId as consent and identity-validation send it: the registration id for the home seeker. */
export const subjectOf = (h: Household, memberId: string): string =>
  memberId === h.homeSeeker ? h.allocation.registrationId : memberId;

export async function publishAllocation(t: IncomeTestApp, h: Household): Promise<string> {
  const [id] = await t.publish(AllocationRecordedEvent, [
    { key: h.allocation.allocationId, value: h.allocation },
  ]);
  return id as string;
}

export function consentIdFor(memberId: string): string {
  // deterministic per member so statements can be checked
  return `${memberId.slice(0, 24)}c0c0c0c0c0c0`;
}

export async function grant(t: IncomeTestApp, h: Household, memberId: string): Promise<string> {
  const [id] = await t.publish(ConsentGrantedEvent, [
    {
      key: h.allocation.registrationId,
      value: {
        consentId: consentIdFor(memberId),
        organisationId: h.allocation.organisationId,
        registrationId: h.allocation.registrationId,
        subjectId: subjectOf(h, memberId),
        subjectRole: memberId === h.homeSeeker ? 'HOME_SEEKER' : 'CO_RESIDENT',
        allocationId: h.allocation.allocationId,
        purpose: 'BSN_AND_INCOME_AT_ALLOCATION',
        textVersionHash: 'ab'.repeat(32),
        receiptId: `rcpt-${memberId}`,
        grantedAt: Date.now(),
      },
    },
  ]);
  return id as string;
}

export async function withdraw(t: IncomeTestApp, h: Household, memberId: string): Promise<string> {
  const [id] = await t.publish(ConsentWithdrawnEvent, [
    {
      key: h.allocation.registrationId,
      value: {
        consentId: consentIdFor(memberId),
        organisationId: h.allocation.organisationId,
        registrationId: h.allocation.registrationId,
        subjectId: subjectOf(h, memberId),
        subjectRole: memberId === h.homeSeeker ? 'HOME_SEEKER' : 'CO_RESIDENT',
        allocationId: h.allocation.allocationId,
        purpose: 'BSN_AND_INCOME_AT_ALLOCATION',
        withdrawnAt: Date.now(),
      },
    },
  ]);
  return id as string;
}

export function incomeEvent(
  h: Household,
  memberId: string,
  incomeCents: number,
  taxYear = 2024,
): IncomeShared {
  return {
    sharingId: randomUUID(),
    allocationId: h.allocation.allocationId,
    registrationId: h.allocation.registrationId,
    subjectId: subjectOf(h, memberId),
    subjectRole: memberId === h.homeSeeker ? 'HOME_SEEKER' : 'CO_RESIDENT',
    consentId: consentIdFor(memberId),
    incomeCents,
    incomeKind: 'AGGREGATE_INCOME',
    taxYear,
    signatureVerified: true,
    receivedAt: Date.now(),
  };
}

export async function share(
  t: IncomeTestApp,
  h: Household,
  memberId: string,
  incomeCents: number,
  taxYear = 2024,
  id?: string,
): Promise<string> {
  const [eventId] = await t.publish(IncomeSharedEvent, [
    {
      key: h.allocation.allocationId,
      value: incomeEvent(h, memberId, incomeCents, taxYear),
      ...(id ? { id } : {}),
    },
  ]);
  return eventId as string;
}

export async function fail(
  t: IncomeTestApp,
  h: Household,
  memberId: string,
  failure: 'U3_BSN_CHECK_FAILED' | 'U4_HASH_MISMATCH' | 'ABORTED_AFTER_LOGIN',
): Promise<string> {
  const [id] = await t.publish(IdentityValidationFailedEvent, [
    {
      key: h.allocation.registrationId,
      value: {
        consentId: consentIdFor(memberId),
        registrationId: h.allocation.registrationId,
        subjectId: subjectOf(h, memberId),
        subjectRole: memberId === h.homeSeeker ? 'HOME_SEEKER' : 'CO_RESIDENT',
        purpose: 'BSN_AND_INCOME_AT_ALLOCATION',
        failure,
        failedAt: Date.now(),
        allocationId: h.allocation.allocationId,
      },
    },
  ]);
  return id as string;
}
