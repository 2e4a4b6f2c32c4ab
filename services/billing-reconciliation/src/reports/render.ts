/**
 * Finance outputs rendered from one stored reconciliation version (pure apart from pdfkit):
 * per-member statements (CSV, PDF), the coordinator overview (PDF, with a bar chart of cost per member
 * drawn with rectangles) and the discrepancy report (CSV, JSON). CSV is written by csvText (csv-stringify with
 * formula-injection escaping; libs/service-kit/src/csv/csv-writer.ts): a member or organisation name such as
 * `=HYPERLINK(…)` reaches a finance officer's spreadsheet as text.
 */
import { CsvCell, csvText, newPdfDocument, pdfBytes, PdfDocument } from '@divit/service-kit';
import type { ReconciliationRow } from '../reconciliation/reconciliation.repository';

export type Names = Readonly<Record<string, string>>;

/** Euro cents as "1234.56" (no thousands separator, so CSV and PDF text compare exactly). */
export const euros = (cents: number): string => {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
};

const cells = (values: CsvCell[]): CsvCell[] => values;

export function memberPart(row: ReconciliationRow, memberId: string) {
  return row.result.split.parts.find((p) => p.memberId === memberId);
}

export function statementCsv(row: ReconciliationRow, memberId: string, names: Names): string {
  const part = memberPart(row, memberId);
  if (!part) throw new Error('member not in result');
  const r = row.result;
  const lines = [
    cells(['field', 'value']),
    cells(['memberOrganisationId', memberId]),
    cells(['memberName', names[memberId] ?? '']),
    cells(['payerOrganisationId', r.payerOrganisationId]),
    cells(['payerName', names[r.payerOrganisationId] ?? '']),
    cells(['invoiceNumber', r.primaryInvoice.invoiceNumber]),
    cells(['periodStart', r.periodStart]),
    cells(['periodEnd', r.periodEnd]),
    cells(['resultVersion', row.version]),
    cells(['allocationKey', r.split.basis]),
    cells(['keyShare', `${part.keyShareNumerator}/${part.keyShareDenominator}`]),
    cells(['attributableUsageCount', part.attributableUsageCount]),
    cells(['attributableCents', part.attributableCents]),
    cells(['sharedCents', part.sharedCents]),
    cells(['amountCents', part.amountCents]),
    cells(['amountEur', euros(part.amountCents)]),
    cells(['invoiceTotalCents', r.split.totalCents]),
    cells(['currency', 'EUR']),
  ];
  return csvText(lines);
}

/** All members of one version in one CSV (coordinator / finance export). */
export function statementsCsv(row: ReconciliationRow, names: Names): string {
  const header = cells([
    'memberOrganisationId',
    'memberName',
    'attributableUsageCount',
    'attributableCents',
    'sharedCents',
    'amountCents',
    'amountEur',
    'allocationKey',
    'keyShareNumerator',
    'keyShareDenominator',
  ]);
  const rows = row.result.split.parts.map((p) =>
    cells([
      p.memberId,
      names[p.memberId] ?? '',
      p.attributableUsageCount,
      p.attributableCents,
      p.sharedCents,
      p.amountCents,
      euros(p.amountCents),
      row.result.split.basis,
      p.keyShareNumerator,
      p.keyShareDenominator,
    ]),
  );
  const total = cells([
    'TOTAL',
    '',
    '',
    '',
    '',
    row.result.split.totalCents,
    euros(row.result.split.totalCents),
    '',
    '',
    '',
  ]);
  return csvText([header, ...rows, total]);
}

export function discrepanciesCsv(
  row: ReconciliationRow,
  late: { usageId: string; unit: string; occurredAt: string; receivedAt: string }[],
): string {
  const out = [
    cells([
      'kind',
      'unit',
      'class',
      'count',
      'amountCents',
      'explanation',
      'usageId',
      'occurredAt',
      'receivedAt',
    ]),
  ];
  for (const d of row.result.discrepancies)
    out.push(
      cells(['DISCREPANCY', d.unit, d.class, d.count, d.amountCents, d.explanation, null, null, null]),
    );
  for (const l of late)
    out.push(
      cells([
        'LATE_USAGE_RECORD',
        l.unit,
        'LATE_USAGE',
        1,
        null,
        'arrived after the period was closed',
        l.usageId,
        l.occurredAt,
        l.receivedAt,
      ]),
    );
  return csvText(out);
}

function header(doc: PdfDocument, title: string, row: ReconciliationRow, names: Names): void {
  const r = row.result;
  doc.font('Helvetica-Bold').fontSize(16).text(title);
  doc.moveDown(0.5).font('Helvetica').fontSize(10);
  doc.text(`Payer: ${names[r.payerOrganisationId] ?? ''} (${r.payerOrganisationId}) - route ${r.route}`);
  doc.text(
    `Invoice: ${r.primaryInvoice.invoiceNumber} (issuer ${r.issuer})   Period: ${r.periodStart} to ${r.periodEnd}`,
  );
  doc.text(`Result version: ${row.version}   Closed: ${row.closedAt}   Allocation key: ${r.split.basis}`);
  doc.moveDown();
}

export function statementPdf(row: ReconciliationRow, memberId: string, names: Names): Promise<Buffer> {
  const part = memberPart(row, memberId);
  if (!part) throw new Error('member not in result');
  const doc = newPdfDocument('DIV-it member statement');
  header(doc, 'DIV-it cost statement (MijnOverheid)', row, names);
  doc.font('Helvetica-Bold').text(`Member: ${names[memberId] ?? ''} (${memberId})`);
  doc.font('Helvetica').moveDown(0.5);
  doc.text(
    `Attributable usage (allocations you let): ${part.attributableUsageCount} units, EUR ${euros(part.attributableCents)}`,
  );
  doc.text(
    `Share of non-attributable usage (${row.result.split.basis} ${part.keyShareNumerator}/${part.keyShareDenominator}): EUR ${euros(part.sharedCents)}`,
  );
  doc
    .moveDown(0.5)
    .font('Helvetica-Bold')
    .text(`Amount due: EUR ${euros(part.amountCents)}`);
  doc.font('Helvetica').text(`Invoice total (all members): EUR ${euros(row.result.split.totalCents)}`);
  return pdfBytes(doc);
}

export function overviewPdf(row: ReconciliationRow, names: Names): Promise<Buffer> {
  const r = row.result;
  const doc = newPdfDocument('DIV-it coordinator overview');
  header(doc, 'DIV-it coordinator overview', row, names);

  doc.font('Helvetica-Bold').fontSize(12).text('Reconciliation summary');
  doc.font('Helvetica').fontSize(10);
  doc.text(`Status: ${r.status}   Tolerance: ${r.toleranceCents} cent(s) per line`);
  for (const u of r.units)
    doc.text(
      `${u.unit}: counted ${u.counted} (late ${u.late}), invoiced ${u.invoicedCount} for EUR ${euros(u.invoicedAmountCents)}, expected EUR ${euros(u.expectedAmountCents)} at ${u.unitPriceMillicents} millicents`,
    );
  if (r.discrepancies.length === 0) doc.text('No differences.');
  for (const d of r.discrepancies)
    doc.text(`- ${d.unit} ${d.class}: ${d.count} unit(s), EUR ${euros(d.amountCents)} - ${d.explanation}`);
  doc.moveDown();

  doc.font('Helvetica-Bold').fontSize(12).text('Cost per member');
  doc.font('Helvetica').fontSize(9);
  const parts = r.split.parts;
  const max = Math.max(1, ...parts.map((p) => p.amountCents));
  const left = 50;
  const labelWidth = 150;
  const barMax = 250;
  const barHeight = 12;
  for (const p of parts) {
    if (doc.y > 760) doc.addPage();
    const y = doc.y;
    const width = Math.round((p.amountCents / max) * barMax);
    doc.text((names[p.memberId] ?? p.memberId).slice(0, 30), left, y, {
      width: labelWidth,
      lineBreak: false,
    });
    doc.rect(left + labelWidth, y, Math.max(width, 1), barHeight).fill('#2f6f9f');
    doc
      .fillColor('black')
      .text(`EUR ${euros(p.amountCents)}`, left + labelWidth + barMax + 10, y, { lineBreak: false });
    doc.x = left;
    doc.y = y + barHeight + 6;
  }
  doc.moveDown();
  doc
    .font('Helvetica-Bold')
    .fontSize(11)
    .text(`Invoice total: EUR ${euros(r.split.totalCents)}`, left);
  doc
    .font('Helvetica')
    .fontSize(10)
    .text(`Sum of members: EUR ${euros(parts.reduce((a, p) => a + p.amountCents, 0))}`);
  return pdfBytes(doc);
}
