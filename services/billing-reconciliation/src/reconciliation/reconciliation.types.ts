import type { Discrepancy } from './classify';
import type { KeyBasis, MemberPart } from '../split/split';

export interface UnitResult {
  unit: 'DIGID_LOGIN' | 'DATA_SHARING';
  counted: number;
  late: number;
  attributable: number;
  shared: number;
  invoicedCount: number;
  invoicedAmountCents: number;
  unitPriceMillicents: number;
  expectedAmountCents: number;
}

/** Everything one reconciliation computed; stored as is per version (never changed afterwards). */
export interface ReconciliationResult {
  payerOrganisationId: string;
  route: 'A' | 'B' | 'C';
  collaborationId: string | null;
  periodStart: string;
  periodEnd: string;
  issuer: string;
  toleranceCents: number;
  invoices: { invoiceId: string; invoiceNumber: string; credit: boolean; totalCents: number }[];
  /** The original invoice the settlements refer to (the earliest imported non-credit invoice). */
  primaryInvoice: { invoiceId: string; invoiceNumber: string };
  /** Net invoiced: originals minus credits. */
  invoicedTotalCents: number;
  countedAmountCents: number;
  units: UnitResult[];
  discrepancies: Discrepancy[];
  status: 'MATCHED' | 'DIFFERENCES';
  split: {
    basis: KeyBasis;
    keyEffectiveFrom: string | null;
    totalCents: number;
    parts: MemberPart[];
  };
  calculatedAt: string;
}
