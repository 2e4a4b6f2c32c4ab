import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { KeyBasis, MemberPart } from '../split/split';
import type { SupplierCostView } from './supplier-costs.service';

/** The supplier costs table (ADR 0025: the only place that queries it). */
@Injectable()
export class SupplierCostsRepository {
  async insert(em: EntityManager, c: SupplierCostView): Promise<void> {
    await em.query(
      `INSERT INTO supplier_costs (supplier_cost_id, supplier, invoice_number, payer_organisation_id, period_start,
         period_end, description, amount_cents, basis, key_effective_from, parts, imported_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        c.supplierCostId,
        c.supplier,
        c.invoiceNumber,
        c.payerOrganisationId,
        c.periodStart,
        c.periodEnd,
        c.description,
        c.amountCents,
        c.basis,
        c.keyEffectiveFrom,
        JSON.stringify(c.parts),
        c.importedBy,
      ],
    );
  }

  async byId(em: EntityManager, id: string): Promise<SupplierCostView | null> {
    const rows = await em.query<Raw[]>(`SELECT ${COLUMNS} FROM supplier_costs WHERE supplier_cost_id = $1`, [
      id,
    ]);
    return rows[0] ? viewOf(rows[0]) : null;
  }

  /** Every cost of the payer (null: every payer), by period. */
  async list(em: EntityManager, payer: string | null): Promise<SupplierCostView[]> {
    const rows = await em.query<Raw[]>(
      `SELECT ${COLUMNS} FROM supplier_costs WHERE $1::uuid IS NULL OR payer_organisation_id = $1
        ORDER BY period_start, supplier, invoice_number`,
      [payer],
    );
    return rows.map(viewOf);
  }
}

type Raw = Record<string, unknown>;
const COLUMNS = `supplier_cost_id, supplier, invoice_number, payer_organisation_id,
  to_char(period_start, 'YYYY-MM-DD') AS period_start, to_char(period_end, 'YYYY-MM-DD') AS period_end, description,
  amount_cents, basis, to_char(key_effective_from, 'YYYY-MM-DD') AS key_effective_from, parts, imported_by, imported_at`;

function viewOf(r: Raw): SupplierCostView {
  return {
    supplierCostId: String(r.supplier_cost_id),
    supplier: String(r.supplier),
    invoiceNumber: String(r.invoice_number),
    payerOrganisationId: String(r.payer_organisation_id),
    periodStart: String(r.period_start),
    periodEnd: String(r.period_end),
    currency: 'EUR',
    description: String(r.description),
    amountCents: Number(r.amount_cents),
    basis: r.basis as KeyBasis,
    keyEffectiveFrom: (r.key_effective_from as string | null) ?? null,
    parts: r.parts as MemberPart[],
    importedBy: String(r.imported_by),
    importedAt: r.imported_at instanceof Date ? r.imported_at.toISOString() : String(r.imported_at),
  };
}
