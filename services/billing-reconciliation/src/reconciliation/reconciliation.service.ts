import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { MemberSettlementCalculatedEvent } from '@divit/contracts';
import { MessagingRuntime } from '@divit/service-kit';
import type { Principal } from '@divit/service-kit';
import { BILLING_CONFIG } from '../config/billing.tokens';
import type { BillingConfig } from '../config/billing.config';
import { UsageLedgerRepository } from '../ledger/usage-ledger.repository';
import { InvoicesRepository } from '../invoices/invoices.repository';
import { OrganisationsRepository } from '../organisations/organisations.repository';
import { splitInvoice, SplitError, SplitKey, SplitLine } from '../split/split';
import { TariffsService } from '../tariffs/tariffs.service';
import { actsForPayer, assertPayerScope } from './access';
import { amountFor, classify, UnitFigures } from './classify';
import { ReconciliationError } from './reconciliation.errors';
import { ReconciliationRepository, ReconciliationRow, StoredKey } from './reconciliation.repository';
import { ReconciliationResult, UnitResult } from './reconciliation.types';

export interface PeriodRequest {
  payerOrganisationId: string;
  periodStart: string;
  periodEnd: string;
  toleranceCents?: number | undefined;
}

const UNITS = ['DIGID_LOGIN', 'DATA_SHARING'] as const;

/**
 * Reconciliation per payer and period: counted vs invoiced per unit, differences classified, the net
 * invoice split over the members. Dry run computes only; close stores a new version (earlier versions are
 * kept), marks the period closed (later usage for it is flagged late) and announces each member's
 * settlement through the outbox in the same transaction; re-open allows a new version.
 */
@Injectable()
export class ReconciliationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: ReconciliationRepository,
    private readonly organisations: OrganisationsRepository,
    private readonly invoices: InvoicesRepository,
    private readonly ledger: UsageLedgerRepository,
    private readonly tariffs: TariffsService,
    @Inject(MessagingRuntime) private readonly messaging: MessagingRuntime,
    @Inject(BILLING_CONFIG) private readonly config: BillingConfig,
  ) {}

  async dryRun(
    principal: Principal,
    request: PeriodRequest,
  ): Promise<ReconciliationResult & { dryRun: true }> {
    assertPayerScope(principal, request.payerOrganisationId);
    checkPeriod(request);
    const result = await this.compute(this.dataSource.manager, request);
    return { ...result, dryRun: true };
  }

  async close(principal: Principal, request: PeriodRequest): Promise<ReconciliationRow> {
    assertPayerScope(principal, request.payerOrganisationId);
    checkPeriod(request);
    const id = await this.dataSource.transaction(async (em) => {
      const period = await this.repository.lockPeriod(
        em,
        request.payerOrganisationId,
        request.periodStart,
        request.periodEnd,
      );
      if (period.state === 'CLOSED')
        throw new ReconciliationError(
          'PERIOD_CLOSED',
          'the period is closed; re-open it to calculate a new version',
          {
            version: period.currentVersion,
          },
        );
      const result = await this.compute(em, request);
      const version = period.currentVersion + 1;
      const reconciliationId = randomUUID();
      const scope = await this.organisations.scope(
        em,
        request.payerOrganisationId,
        request.periodStart,
        request.periodEnd,
      );
      const settlements = result.split.parts.map((p) => ({ ...p, settlementId: randomUUID() }));
      await this.repository.saveClosed(
        em,
        {
          reconciliationId,
          version,
          route: result.route,
          toleranceCents: result.toleranceCents,
          status: result.status,
          closedBy: principal.subject,
        },
        result,
        settlements,
        scope?.organisationIds ?? [request.payerOrganisationId],
      );
      const calculatedAt = Date.parse(result.calculatedAt);
      await this.messaging.outbox.addMany(
        em,
        MemberSettlementCalculatedEvent,
        settlements.map((s) => ({
          key: result.payerOrganisationId,
          value: {
            settlementId: s.settlementId,
            invoiceId: result.primaryInvoice.invoiceId,
            invoiceNumber: result.primaryInvoice.invoiceNumber,
            payerOrganisationId: result.payerOrganisationId,
            memberOrganisationId: s.memberId,
            periodStart: result.periodStart,
            periodEnd: result.periodEnd,
            resultVersion: version,
            amountCents: s.amountCents,
            attributableCents: s.attributableCents,
            sharedCents: s.sharedCents,
            attributableUsageCount: s.attributableUsageCount,
            allocationKey: result.split.basis,
            keyShareNumerator: s.keyShareNumerator,
            keyShareDenominator: s.keyShareDenominator,
            currency: 'EUR',
            calculatedAt,
          },
        })),
      );
      return reconciliationId;
    });
    return this.get(principal, id);
  }

  async reopen(
    principal: Principal,
    request: PeriodRequest & { reason: string },
  ): Promise<ReconciliationRow[]> {
    assertPayerScope(principal, request.payerOrganisationId);
    checkPeriod(request);
    await this.dataSource.transaction(async (em) => {
      const period = await this.repository.lockPeriod(
        em,
        request.payerOrganisationId,
        request.periodStart,
        request.periodEnd,
      );
      if (period.state !== 'CLOSED')
        throw new ReconciliationError('PERIOD_NOT_CLOSED', 'only a closed period can be re-opened');
      await this.repository.reopen(
        em,
        request.payerOrganisationId,
        request.periodStart,
        request.periodEnd,
        period.currentVersion,
        request.reason,
      );
    });
    return this.versions(principal, request);
  }

  async versions(principal: Principal, request: PeriodRequest): Promise<ReconciliationRow[]> {
    assertPayerScope(principal, request.payerOrganisationId);
    return this.repository.versions(
      this.dataSource.manager,
      request.payerOrganisationId,
      request.periodStart,
      request.periodEnd,
    );
  }

  async get(principal: Principal, id: string): Promise<ReconciliationRow> {
    const row = await this.repository.byId(this.dataSource.manager, id);
    // Another payer's reconciliation answers exactly like a missing one.
    if (!row || !actsForPayer(principal, row.payerOrganisationId))
      throw new ReconciliationError('RECONCILIATION_NOT_FOUND', 'no reconciliation with this id');
    return row;
  }

  /** Unchecked read for reports (their callers check scope per member). */
  async find(id: string): Promise<ReconciliationRow> {
    const row = await this.repository.byId(this.dataSource.manager, id);
    if (!row) throw new ReconciliationError('RECONCILIATION_NOT_FOUND', 'no reconciliation with this id');
    return row;
  }

  async lateUsage(row: ReconciliationRow) {
    const scope = await this.organisations.scope(
      this.dataSource.manager,
      row.payerOrganisationId,
      row.periodStart,
      row.periodEnd,
    );
    return this.ledger.late(
      this.dataSource.manager,
      scope?.organisationIds ?? [row.payerOrganisationId],
      row.periodStart,
      row.periodEnd,
    );
  }

  async keys(principal: Principal, payer: string): Promise<StoredKey[]> {
    assertPayerScope(principal, payer);
    return this.repository.keys(this.dataSource.manager, payer);
  }

  async setKey(principal: Principal, payer: string, key: StoredKey): Promise<StoredKey[]> {
    // The payer's own coordinator or admin, or the platform operator (roles checked by the controller).
    if (!actsForPayer(principal, payer))
      throw new ReconciliationError(
        'FORBIDDEN_SCOPE',
        'only the coordinator itself (or its admin, or the platform operator) sets its allocation key',
      );
    const scope = await this.organisations.scope(
      this.dataSource.manager,
      payer,
      key.effectiveFrom,
      key.effectiveFrom,
    );
    if (!scope) throw new ReconciliationError('PAYER_UNKNOWN', 'unknown organisation');
    if (scope.route === 'A')
      throw new ReconciliationError(
        'NOT_A_COORDINATOR',
        'a route A corporation pays its own invoice: no allocation key',
      );
    if (key.basis === 'FIXED_PERCENTAGES') {
      const points = Object.values(key.fixedBasisPoints ?? {});
      if (points.reduce((a, b) => a + b, 0) !== 10_000)
        throw new ReconciliationError(
          'FIXED_PERCENTAGES_INVALID',
          'fixed percentages must add up to 100.00% (10000 basis points)',
          {
            field: 'fixedPercentages',
          },
        );
    }
    await this.repository.setKey(this.dataSource.manager, payer, key, principal.subject);
    return this.repository.keys(this.dataSource.manager, payer);
  }

  /** The calculation, shared by dry run and close. */
  async compute(em: EntityManager, request: PeriodRequest): Promise<ReconciliationResult> {
    const { payerOrganisationId: payer, periodStart, periodEnd } = request;
    const tolerance = request.toleranceCents ?? this.config.BILLING_TOLERANCE_CENTS;
    const scope = await this.organisations.scope(em, payer, periodStart, periodEnd);
    if (!scope)
      throw new ReconciliationError('PAYER_UNKNOWN', 'unknown payer organisation', {
        payerOrganisationId: payer,
      });
    const invoices = await this.invoices.forPeriod(em, payer, periodStart, periodEnd);
    const originals = invoices.filter((i) => i.creditsInvoiceId === null);
    const primary = originals[0];
    if (!primary)
      throw new ReconciliationError('NO_INVOICE', 'no invoice imported for this payer and period');
    const issuers = [...new Set(invoices.map((i) => i.issuer))];
    if (issuers.length > 1)
      throw new ReconciliationError('MIXED_ISSUERS', 'invoices of more than one issuer in one period', {
        issuers,
      });
    const issuer = primary.issuer;

    const counts = await this.repository.usageCounts(
      em,
      scope.organisationIds,
      scope.memberIds,
      periodStart,
      periodEnd,
    );
    const units: UnitResult[] = [];
    const lines: SplitLine[] = [];
    for (const unit of UNITS) {
      let invoicedCount = 0;
      let invoicedAmount = 0;
      for (const inv of invoices) {
        const line = inv.lines.find((l) => l.unit === unit);
        if (!line) continue;
        const sign = inv.creditsInvoiceId === null ? 1 : -1;
        invoicedCount += sign * line.count;
        invoicedAmount += sign * line.amountCents;
      }
      if (invoicedAmount < 0 || invoicedCount < 0)
        throw new ReconciliationError('CREDIT_EXCEEDS_INVOICE', `credits exceed the invoiced ${unit}`);
      const rows = counts.filter((c) => c.unit === unit);
      const attributable: Record<string, number> = {};
      for (const r of rows) if (r.member) attributable[r.member] = (attributable[r.member] ?? 0) + r.counted;
      const shared = rows.filter((r) => !r.member).reduce((a, r) => a + r.counted, 0);
      const counted = rows.reduce((a, r) => a + r.counted, 0);
      const price = (await this.tariffs.priceOn(issuer, unit, periodStart, em)).unitPriceMillicents;
      units.push({
        unit,
        counted,
        late: rows.reduce((a, r) => a + r.late, 0),
        attributable: counted - shared,
        shared,
        invoicedCount,
        invoicedAmountCents: invoicedAmount,
        unitPriceMillicents: price,
        expectedAmountCents: amountFor(invoicedCount, price),
      });
      lines.push({ unit, amountCents: invoicedAmount, attributable, sharedCount: shared });
    }

    const { key, effectiveFrom } = await this.splitKey(
      em,
      scope.route,
      payer,
      scope.collaborationId,
      scope.memberIds,
      periodStart,
      periodEnd,
    );
    let split;
    try {
      split = splitInvoice({ memberIds: scope.memberIds, lines, key });
    } catch (error) {
      if (error instanceof SplitError)
        throw new ReconciliationError('SPLIT_IMPOSSIBLE', error.message, {
          reason: error.code,
          basis: key.basis,
        });
      throw error;
    }
    const figures: UnitFigures[] = units.map((u) => ({
      unit: u.unit,
      counted: u.counted,
      late: u.late,
      invoicedCount: u.invoicedCount,
      invoicedAmountCents: u.invoicedAmountCents,
      unitPriceMillicents: u.unitPriceMillicents,
    }));
    const discrepancies = classify(figures, tolerance);
    return {
      payerOrganisationId: payer,
      route: scope.route,
      collaborationId: scope.collaborationId,
      periodStart,
      periodEnd,
      issuer,
      toleranceCents: tolerance,
      invoices: invoices.map((i) => ({
        invoiceId: i.invoiceId,
        invoiceNumber: i.invoiceNumber,
        credit: i.creditsInvoiceId !== null,
        totalCents: i.totalCents,
      })),
      primaryInvoice: { invoiceId: primary.invoiceId, invoiceNumber: primary.invoiceNumber },
      invoicedTotalCents: split.totalCents,
      countedAmountCents: units.reduce((a, u) => a + amountFor(u.counted, u.unitPriceMillicents), 0),
      units,
      discrepancies,
      status: discrepancies.every((d) => d.class === 'ROUNDING') ? 'MATCHED' : 'DIFFERENCES',
      split: {
        basis: split.basis,
        keyEffectiveFrom: effectiveFrom,
        totalCents: split.totalCents,
        parts: split.parts,
      },
      calculatedAt: new Date().toISOString(),
    };
  }

  /**
   * Route A: the payer's own invoice. B/C: the coordinator's key in force (default: housing stock [assumption]).
   * Also used for the costs a supplier passes on (src/supplier-costs), so both are split the same way.
   */
  async splitKey(
    em: EntityManager,
    route: 'A' | 'B' | 'C',
    payer: string,
    collaborationId: string | null,
    members: string[],
    periodStart: string,
    periodEnd: string,
  ): Promise<{ key: SplitKey; effectiveFrom: string | null }> {
    if (route === 'A' || !collaborationId)
      return { key: { basis: 'OWN_INVOICE', weights: { [payer]: 1 } }, effectiveFrom: null };
    const stored = await this.repository.keyInForce(em, payer, periodStart);
    const basis = stored?.basis ?? 'HOUSING_STOCK';
    const effectiveFrom = stored?.effectiveFrom ?? null;
    switch (basis) {
      case 'HOUSING_STOCK':
        return {
          key: {
            basis,
            weights: await this.organisations.housingStockWeights(em, collaborationId, periodEnd),
          },
          effectiveFrom,
        };
      case 'ALLOCATIONS':
        return {
          key: {
            basis,
            weights: await this.organisations.allocationWeights(em, collaborationId, periodStart, periodEnd),
          },
          effectiveFrom,
        };
      case 'EQUAL':
        return { key: { basis, weights: Object.fromEntries(members.map((m) => [m, 1])) }, effectiveFrom };
      case 'FIXED_PERCENTAGES':
        return { key: { basis, weights: stored?.fixedBasisPoints ?? {} }, effectiveFrom };
    }
  }
}

function checkPeriod(request: PeriodRequest): void {
  if (request.periodEnd < request.periodStart)
    throw new ReconciliationError('PERIOD_INVALID', 'the period ends before it starts', {
      field: 'periodEnd',
    });
}
