import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { z } from 'zod';
import { SupplierCostSettlementCalculatedEvent } from '@divit/contracts';
import { AccessLogService } from '@divit/access-log';
import { isPlatformOperator, MessagingRuntime, plainText } from '@divit/service-kit';
import type { Principal } from '@divit/service-kit';
import { isoDate } from '../common/dates';
import { OrganisationsRepository } from '../organisations/organisations.repository';
import { actsForPayer, assertPayerScope } from '../reconciliation/access';
import { ReconciliationError } from '../reconciliation/reconciliation.errors';
import { ReconciliationService } from '../reconciliation/reconciliation.service';
import { KeyBasis, MemberPart, splitInvoice, SplitError } from '../split/split';
import { SupplierCostError } from './supplier-costs.errors';
import { SupplierCostsRepository } from './supplier-costs.repository';

/** The most one supplier cost may be (cents): € 10,000,000. */
export const SUPPLIER_COST_MAX_CENTS = 1_000_000_000;

export const supplierCostSchema = z
  .strictObject({
    supplier: z.string().regex(/^[A-Z0-9_-]{2,50}$/, 'upper-case letters, digits, _ or - (2-50)'),
    invoiceNumber: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/, 'letters, digits, . _ / - (1-64)'),
    payerOrganisationId: z.uuid(),
    periodStart: isoDate,
    periodEnd: isoDate,
    currency: z.literal('EUR'),
    description: plainText({ min: 3, max: 300 }).describe(
      'What the supplier charges for (e.g. DIV-it module, pass-through of MijnOverheid costs).',
    ),
    amountCents: z.number().int().min(1).max(SUPPLIER_COST_MAX_CENTS),
  })
  .refine((c) => c.periodStart <= c.periodEnd, {
    path: ['periodEnd'],
    message: 'the period ends before it starts',
  });
export type SupplierCostInput = z.infer<typeof supplierCostSchema>;
export const supplierCostImportSchema = z.strictObject({
  costs: z.array(supplierCostSchema).min(1).max(1000),
});

export interface SupplierCostView extends Omit<SupplierCostInput, 'currency'> {
  supplierCostId: string;
  currency: 'EUR';
  basis: KeyBasis;
  keyEffectiveFrom: string | null;
  parts: MemberPart[];
  importedBy: string;
  importedAt: string;
}

/** Stable id of a supplier cost: derived from supplier and invoice number (the same import finds the same id). */
export function supplierCostIdOf(supplier: string, invoiceNumber: string): string {
  const h = createHash('sha256').update(`divit-supplier-cost|${supplier}|${invoiceNumber}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

const same = (a: SupplierCostInput, b: SupplierCostView) =>
  a.payerOrganisationId === b.payerOrganisationId &&
  a.periodStart === b.periodStart &&
  a.periodEnd === b.periodEnd &&
  a.description === b.description &&
  a.amountCents === b.amountCents;

/**
 * Costs a software or service supplier passes on (issue 16 item 8), imported (all or nothing) and split like a
 * MijnOverheid invoice: over the payer's members with a membership in the period, by the allocation key in force on
 * its first day (route A: the corporation alone), with the same engine (largest remainder, to the cent). No usage
 * is reconciled: the whole amount is spread by the key. Each member's part is announced as
 * SupplierCostSettlementCalculated on the settlements topic through the outbox.
 */
@Injectable()
export class SupplierCostsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly organisations: OrganisationsRepository,
    private readonly reconciliation: ReconciliationService,
    private readonly repository: SupplierCostsRepository,
    private readonly accessLog: AccessLogService,
    @Inject(MessagingRuntime) private readonly messaging: MessagingRuntime,
  ) {}

  async import(principal: Principal, costs: SupplierCostInput[]): Promise<SupplierCostView[]> {
    // Every payer first: a file holding another payer's cost is refused whole before anything is written.
    for (const c of costs) assertPayerScope(principal, c.payerOrganisationId);
    const keys = new Set<string>();
    for (const c of costs) {
      const k = `${c.supplier}|${c.invoiceNumber}`;
      if (keys.has(k))
        throw new SupplierCostError(
          'SUPPLIER_COST_CONFLICT',
          `${c.supplier} ${c.invoiceNumber} appears twice`,
        );
      keys.add(k);
    }
    const ids = await this.dataSource.transaction(async (em) => {
      const out: string[] = [];
      for (const c of costs) {
        const id = supplierCostIdOf(c.supplier, c.invoiceNumber);
        out.push(id);
        const existing = await this.byId(em, id);
        if (existing) {
          if (!same(c, existing))
            throw new SupplierCostError(
              'SUPPLIER_COST_CONFLICT',
              `${c.supplier} ${c.invoiceNumber} was imported with other content; it is never changed`,
              { supplierCostId: id },
            );
          continue; // the same cost again: imported once
        }
        await this.store(em, principal, id, c);
      }
      await this.accessLog.record(
        {
          principal,
          action: 'SUPPLIER_COSTS_IMPORTED',
          resourceType: 'supplier-cost-file',
          resourceId: out.join(',').slice(0, 200),
          organisationId: costs[0]?.payerOrganisationId ?? null,
        },
        em,
      );
      return out;
    });
    const views: SupplierCostView[] = [];
    for (const id of ids) views.push((await this.byId(this.dataSource.manager, id)) as SupplierCostView);
    return views;
  }

  private async store(
    em: EntityManager,
    principal: Principal,
    id: string,
    c: SupplierCostInput,
  ): Promise<void> {
    const scope = await this.organisations.scope(em, c.payerOrganisationId, c.periodStart, c.periodEnd);
    if (!scope)
      throw new ReconciliationError('PAYER_UNKNOWN', 'unknown payer organisation', {
        payerOrganisationId: c.payerOrganisationId,
      });
    const { key, effectiveFrom } = await this.reconciliation.splitKey(
      em,
      scope.route,
      c.payerOrganisationId,
      scope.collaborationId,
      scope.memberIds,
      c.periodStart,
      c.periodEnd,
    );
    let split;
    try {
      split = splitInvoice({
        memberIds: scope.memberIds,
        // No usage to reconcile: one line without counted usage is spread wholly by the key.
        lines: [{ unit: 'DIGID_LOGIN', amountCents: c.amountCents, attributable: {}, sharedCount: 0 }],
        key,
      });
    } catch (error) {
      if (error instanceof SplitError)
        throw new ReconciliationError('SPLIT_IMPOSSIBLE', error.message, {
          reason: error.code,
          basis: key.basis,
        });
      throw error;
    }
    await this.repository.insert(em, {
      supplierCostId: id,
      ...c,
      currency: 'EUR',
      basis: split.basis,
      keyEffectiveFrom: effectiveFrom,
      parts: split.parts,
      importedBy: principal.subject,
      importedAt: '',
    });
    const calculatedAt = Date.now();
    await this.messaging.outbox.addMany(
      em,
      SupplierCostSettlementCalculatedEvent,
      split.parts.map((p) => ({
        key: c.payerOrganisationId,
        value: {
          settlementId: randomUUID(),
          supplierCostId: id,
          supplier: c.supplier,
          invoiceNumber: c.invoiceNumber,
          payerOrganisationId: c.payerOrganisationId,
          memberOrganisationId: p.memberId,
          periodStart: c.periodStart,
          periodEnd: c.periodEnd,
          amountCents: p.amountCents,
          supplierCostTotalCents: c.amountCents,
          allocationKey: split.basis,
          keyShareNumerator: p.keyShareNumerator,
          keyShareDenominator: p.keyShareDenominator,
          currency: 'EUR',
          calculatedAt,
        },
      })),
    );
  }

  async list(principal: Principal, payer: string | undefined): Promise<SupplierCostView[]> {
    if (payer) assertPayerScope(principal, payer);
    const scopeTo = payer ?? (isPlatformOperator(principal) ? null : principal.organisationId);
    return this.repository.list(this.dataSource.manager, scopeTo);
  }

  /** One cost; another payer's answers as missing. */
  async get(principal: Principal, id: string): Promise<SupplierCostView> {
    const view = await this.byId(this.dataSource.manager, id);
    if (!view || !actsForPayer(principal, view.payerOrganisationId))
      throw new SupplierCostError('SUPPLIER_COST_NOT_FOUND', 'no supplier cost with this id');
    await this.accessLog.record({
      principal,
      action: 'SUPPLIER_COST_READ',
      resourceType: 'supplier-cost',
      resourceId: id,
      organisationId: view.payerOrganisationId,
    });
    return view;
  }

  private byId(em: EntityManager, id: string): Promise<SupplierCostView | null> {
    return this.repository.byId(em, id);
  }
}
