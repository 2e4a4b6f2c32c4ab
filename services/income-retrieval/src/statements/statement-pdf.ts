import { newPdfDocument, pdfBytes } from '@divit/service-kit';

const eur = (cents: unknown): string => {
  if (typeof cents !== 'number') return '-';
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const euros = Math.floor(abs / 100).toLocaleString('nl-NL');
  return `${sign}€ ${euros},${String(abs % 100).padStart(2, '0')}`;
};

const str = (v: unknown): string => {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
};

/** The income statement as a PDF for the accountant (same content as the JSON). */
export function renderStatementPdf(body: Record<string, unknown>): Promise<Buffer> {
  const doc = newPdfDocument('Digitale inkomensverklaring');

  doc.font('Helvetica-Bold').fontSize(16).text('Digitale inkomensverklaring (household income statement)');
  doc
    .moveDown(0.5)
    .font('Helvetica')
    .fontSize(9)
    .text('DIV-it income-retrieval — evidence for the accountant');
  doc.moveDown();
  const line = (label: string, value: unknown) => {
    doc.font('Helvetica-Bold').text(`${label}: `, { continued: true }).font('Helvetica').text(str(value));
  };
  doc.fontSize(10);
  line('Statement', body.statementId);
  line('Allocation', body.allocationId);
  line('Registration (pseudonym)', body.registrationId);
  line('Organisation', body.organisationId);
  line('Letting corporation', body.lettingCorporationId);
  line('Lease start date', body.leaseStartDate);
  line('Monthly rent', eur(body.monthlyRentCents));
  line('Household size', body.householdSize);
  line('Outcome', body.outcome);
  if (body.alternativeRouteReason) {
    line('Alternative route reason', body.alternativeRouteReason);
    line('Failed member', body.failedMemberId);
  }
  if (body.exemptionGroup) line('Exemption group', body.exemptionGroup);
  line('Allocation recorded at', body.allocationRecordedAt);
  line('Decided at', body.decidedAt);
  line('Retain until', body.retainUntil);
  if (body.incomeErasedAt) line('Income erased at', body.incomeErasedAt);

  doc.moveDown().font('Helvetica-Bold').fontSize(12).text('Members');
  doc.fontSize(9);
  for (const m of (body.members as Record<string, unknown>[] | undefined) ?? []) {
    doc
      .moveDown(0.3)
      .font('Helvetica-Bold')
      .text(`${str(m.role)} ${str(m.memberId)}`);
    doc
      .font('Helvetica')
      .text(
        `status ${str(m.status)}${m.failure ? ` (${str(m.failure)})` : ''}; consent ${str(m.consentId)}` +
          (m.taxYear !== undefined
            ? `; tax year ${str(m.taxYear)}, ${str(m.incomeKind)} ${eur(m.incomeCents)} × ${str(m.indexationFactor)} = ${eur(m.indexedIncomeCents)}; sharing ${str(m.sharingId)}, received ${str(m.receivedAt)}`
            : ''),
      );
  }

  const test = body.test as Record<string, unknown> | undefined;
  const norms = body.norms as Record<string, unknown> | undefined;
  if (test && norms) {
    doc.moveDown().font('Helvetica-Bold').fontSize(12).text('Income test');
    doc.fontSize(10);
    line('Household income (indexed)', eur(body.householdIncomeCents));
    line('Income year', body.incomeYear);
    line('Norm version', norms.version);
    line('DAEB limit', eur(test.daebLimitCents));
    line('Eligible for social housing', test.eligible ? 'yes' : 'no');
    line('Passend category', test.passendCategory);
    line('Pension age', `${str(body.pensionAge)} (${str(body.pensionAgeSource)})`);
    line('Passend limit', eur(test.passendLimitCents));
    line('Within passend limit', test.withinPassendLimit ? 'yes' : 'no');
    line('Rent cap', eur(test.rentCapCents));
    line('Passend', test.passend === null ? 'no rent given' : test.passend ? 'yes' : 'no');
    line('Rounding', test.rounding);
    const assumptions = (norms.assumptions as { field: string; note: string }[] | undefined) ?? [];
    if (assumptions.length > 0) {
      doc.moveDown(0.5).font('Helvetica-Bold').fontSize(9).text('Assumptions in the norm data');
      doc.font('Helvetica');
      for (const a of assumptions) doc.text(`${a.field}: ${a.note}`);
    }
  }
  const consents = (body.consentIds as string[] | undefined) ?? [];
  doc.moveDown().font('Helvetica-Bold').fontSize(10).text('Consents referenced');
  doc
    .font('Helvetica')
    .fontSize(9)
    .text(consents.length ? consents.join('\n') : '-');
  return pdfBytes(doc);
}
