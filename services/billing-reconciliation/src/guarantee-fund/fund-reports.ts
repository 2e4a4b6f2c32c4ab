/**
 * The guarantee fund's outputs (pure apart from pdfkit): a party's statement (CSV, PDF), the fund overview with
 * its balance history drawn as a step chart with pdfkit lines (PDF), and the half-yearly monitoring figures the
 * agreement asks for (article 8 lid 8). CSV through the platform's writer (formula-injection escaping).
 */
import { CsvCell, csvText, newPdfDocument, pdfBytes, PdfDocument } from '@divit/service-kit';
import { euros } from '../reports/render';
import { CLAIM_CATEGORIES, ClaimCategory } from './claim-form';
import { PARTY_KINDS, PartyKind } from './fund-split';
import type { CallRow, ClaimRow, FundRow, PartyRow } from './guarantee-fund.repository';
import type { LedgerEntryView } from './guarantee-fund.service';

export interface FundSnapshot {
  fund: FundRow;
  parties: PartyRow[];
  calls: CallRow[];
  entries: LedgerEntryView[];
  claims: ClaimRow[];
  today: string;
}

export interface PartyStatement {
  party: PartyRow;
  lines: {
    date: string;
    what: string;
    calledCents: number;
    paidInCents: number;
    paidOutCents: number;
    reference: string;
  }[];
  calledCents: number;
  contributedCents: number;
  outstandingCents: number;
  paidOutToPartyCents: number;
  refundedCents: number;
}

export function partyStatement(s: FundSnapshot, partyId: string): PartyStatement {
  const party = s.parties.find((p) => p.partyId === partyId);
  if (!party) throw new Error('party not in fund');
  const lines: PartyStatement['lines'] = [];
  for (const c of s.calls)
    for (const l of c.lines.filter((x) => x.partyId === partyId))
      lines.push({
        date: c.calledOn,
        what: `${c.kind} call (${l.keyNumerator}/${l.keyDenominator})`,
        calledCents: l.amountCents,
        paidInCents: 0,
        paidOutCents: 0,
        reference: c.callId,
      });
  for (const e of s.entries.filter((x) => x.partyId === partyId))
    lines.push({
      date: e.bookedOn,
      what:
        e.kind === 'CONTRIBUTION'
          ? 'contribution received'
          : e.kind === 'PAYOUT'
            ? 'claim paid out'
            : 'refund on termination',
      calledCents: 0,
      paidInCents: e.kind === 'CONTRIBUTION' ? e.signedCents : 0,
      paidOutCents: e.kind === 'CONTRIBUTION' ? 0 : -e.signedCents,
      reference: e.callId ?? e.claimId ?? e.entryId,
    });
  lines.sort((a, b) => a.date.localeCompare(b.date) || b.calledCents - a.calledCents);
  const sum = (f: (l: PartyStatement['lines'][number]) => number) => lines.reduce((a, l) => a + f(l), 0);
  const calledCents = sum((l) => l.calledCents);
  const contributedCents = sum((l) => l.paidInCents);
  const payouts = s.entries.filter((e) => e.partyId === partyId && e.kind === 'PAYOUT');
  const refunds = s.entries.filter((e) => e.partyId === partyId && e.kind === 'REFUND');
  return {
    party,
    lines,
    calledCents,
    contributedCents,
    outstandingCents: calledCents - contributedCents,
    paidOutToPartyCents: payouts.reduce((a, e) => a - e.signedCents, 0),
    refundedCents: refunds.reduce((a, e) => a - e.signedCents, 0),
  };
}

export function partyStatementCsv(s: FundSnapshot, partyId: string): string {
  const st = partyStatement(s, partyId);
  const rows: CsvCell[][] = [
    [
      'fundId',
      'fundName',
      'partyId',
      'partyName',
      'partyKind',
      'date',
      'what',
      'calledCents',
      'paidInCents',
      'paidOutCents',
      'reference',
    ],
    ...st.lines.map((l): CsvCell[] => [
      s.fund.fundId,
      s.fund.name,
      st.party.partyId,
      st.party.name,
      st.party.kind,
      l.date,
      l.what,
      l.calledCents,
      l.paidInCents,
      l.paidOutCents,
      l.reference,
    ]),
    [
      s.fund.fundId,
      s.fund.name,
      st.party.partyId,
      st.party.name,
      st.party.kind,
      '',
      'TOTAL',
      st.calledCents,
      st.contributedCents,
      st.paidOutToPartyCents + st.refundedCents,
      '',
    ],
  ];
  return csvText(rows);
}

function fundHeader(doc: PdfDocument, title: string, s: FundSnapshot): void {
  doc.font('Helvetica-Bold').fontSize(16).text(title);
  doc.font('Helvetica').fontSize(10).moveDown(0.5);
  doc.text(`Fund: ${s.fund.name} (${s.fund.fundId})   Started: ${s.fund.startsOn}`);
  doc.text(
    `Per call: municipalities EUR ${euros(s.fund.municipalitiesTotalCents)} jointly, corporations EUR ${euros(s.fund.corporationsTotalCents)} jointly, care providers EUR ${euros(s.fund.careProviderCents)} each; threshold EUR ${euros(s.fund.thresholdCents)}`,
  );
  if (s.fund.terminatedOn)
    doc.text(`Terminated on ${s.fund.terminatedOn}: ${s.fund.terminationReason ?? ''}`);
  doc.moveDown();
}

export function partyStatementPdf(s: FundSnapshot, partyId: string): Promise<Buffer> {
  const st = partyStatement(s, partyId);
  const doc = newPdfDocument('Guarantee fund party statement');
  fundHeader(doc, 'Guarantee fund statement', s);
  doc.font('Helvetica-Bold').text(`Party: ${st.party.name} (${st.party.kind}, ${st.party.partyId})`);
  doc
    .font('Helvetica')
    .text(`In the fund from ${st.party.joinedOn}${st.party.leftOn ? ` until ${st.party.leftOn}` : ''}`);
  doc.moveDown(0.5);
  for (const l of st.lines) {
    if (doc.y > 760) doc.addPage();
    const amount = l.calledCents
      ? `called EUR ${euros(l.calledCents)}`
      : l.paidInCents
        ? `paid in EUR ${euros(l.paidInCents)}`
        : `paid out EUR ${euros(l.paidOutCents)}`;
    doc.text(`${l.date}  ${l.what}: ${amount}`);
  }
  doc.moveDown(0.5).font('Helvetica-Bold');
  doc.text(`Called in total: EUR ${euros(st.calledCents)}`);
  doc.text(`Contributed: EUR ${euros(st.contributedCents)}   Outstanding: EUR ${euros(st.outstandingCents)}`);
  doc.text(
    `Claims paid to the party: EUR ${euros(st.paidOutToPartyCents)}   Refunded: EUR ${euros(st.refundedCents)}`,
  );
  return pdfBytes(doc);
}

/** The balance at the end of each day with an entry, oldest first (starting at 0 on the fund's start). */
export function balanceHistory(s: FundSnapshot): { date: string; balanceCents: number }[] {
  const points = [{ date: s.fund.startsOn, balanceCents: 0 }];
  for (const e of s.entries) {
    const last = points[points.length - 1];
    if (last && last.date === e.bookedOn) last.balanceCents = e.balanceAfterCents;
    else points.push({ date: e.bookedOn, balanceCents: e.balanceAfterCents });
  }
  return points;
}

export function overviewPdf(s: FundSnapshot): Promise<Buffer> {
  const doc = newPdfDocument('Guarantee fund overview');
  fundHeader(doc, 'Guarantee fund overview', s);
  const history = balanceHistory(s);
  const balance = history[history.length - 1]?.balanceCents ?? 0;
  doc
    .font('Helvetica-Bold')
    .fontSize(12)
    .text(`Balance: EUR ${euros(balance)}`);
  doc.font('Helvetica').fontSize(10);
  /** Money moved by entries of one kind, as a positive amount. */
  const moved = (kind: string) =>
    s.entries.filter((e) => e.kind === kind).reduce((a, e) => a + Math.abs(e.signedCents), 0);
  doc.text(
    `Contributions EUR ${euros(moved('CONTRIBUTION'))}, payouts EUR ${euros(moved('PAYOUT'))}, refunds EUR ${euros(moved('REFUND'))}; ${s.calls.length} call(s), ${s.claims.length} claim(s)`,
  );
  doc.moveDown();

  // Balance history: a step chart, x by date, y by balance, with the threshold as a dashed line.
  doc.font('Helvetica-Bold').fontSize(12).text('Balance history');
  const left = 90;
  const top = doc.y + 10;
  const width = 420;
  const height = 180;
  const t0 = Date.parse(`${history[0]?.date ?? s.fund.startsOn}T00:00:00Z`);
  const lastDate = history[history.length - 1]?.date ?? s.fund.startsOn;
  const t1 = Math.max(Date.parse(`${lastDate}T00:00:00Z`), t0 + 86_400_000);
  const max = Math.max(1, s.fund.thresholdCents, ...history.map((p) => p.balanceCents));
  const x = (date: string) => left + ((Date.parse(`${date}T00:00:00Z`) - t0) / (t1 - t0)) * width;
  const y = (c: number) => top + height - (Math.max(c, 0) / max) * height;
  doc
    .lineWidth(0.5)
    .strokeColor('black')
    .moveTo(left, top)
    .lineTo(left, top + height)
    .lineTo(left + width, top + height)
    .stroke();
  doc.font('Helvetica').fontSize(8).fillColor('black');
  doc.text(`EUR ${euros(max)}`, 10, top - 4, { width: 75, align: 'right', lineBreak: false });
  doc.text('EUR 0.00', 10, top + height - 4, { width: 75, align: 'right', lineBreak: false });
  doc.text(history[0]?.date ?? '', left, top + height + 4, { lineBreak: false });
  doc.text(lastDate, left + width - 50, top + height + 4, { lineBreak: false });
  doc
    .dash(3, { space: 3 })
    .strokeColor('#b03030')
    .moveTo(left, y(s.fund.thresholdCents))
    .lineTo(left + width, y(s.fund.thresholdCents))
    .stroke()
    .undash();
  doc.text(
    `threshold EUR ${euros(s.fund.thresholdCents)}`,
    left + width - 120,
    y(s.fund.thresholdCents) - 10,
    { lineBreak: false },
  );
  doc.lineWidth(1.5).strokeColor('#2f6f9f');
  history.forEach((p, i) => {
    const prev = history[i - 1];
    if (!prev) doc.moveTo(x(p.date), y(p.balanceCents));
    else doc.lineTo(x(p.date), y(prev.balanceCents)).lineTo(x(p.date), y(p.balanceCents));
  });
  doc.stroke();
  doc.strokeColor('black').lineWidth(1);
  doc.x = 50;
  doc.y = top + height + 25;

  doc.font('Helvetica-Bold').fontSize(12).text('Balance by date', 50);
  doc.font('Helvetica').fontSize(9);
  for (const p of history) {
    if (doc.y > 760) doc.addPage();
    doc.text(`${p.date}: EUR ${euros(p.balanceCents)}`);
  }
  doc.moveDown();
  doc.font('Helvetica-Bold').fontSize(12).text('Claims');
  doc.font('Helvetica').fontSize(9);
  if (s.claims.length === 0) doc.text('No claims.');
  for (const c of s.claims) {
    if (doc.y > 760) doc.addPage();
    doc.text(
      `${c.caseReference}: EUR ${euros(c.amountCents)} ${c.status}${c.deviationJustification ? ' (deviation justified)' : ''}${c.conditionFailures.length ? ` - conditions not met: ${c.conditionFailures.join(', ')}` : ''}`,
    );
  }
  doc.moveDown();
  doc.font('Helvetica-Bold').fontSize(12).text('Parties');
  doc.font('Helvetica').fontSize(9);
  for (const p of s.parties) {
    if (doc.y > 760) doc.addPage();
    const st = partyStatement(s, p.partyId);
    doc.text(
      `${p.name} (${p.kind}) from ${p.joinedOn}${p.leftOn ? ` to ${p.leftOn}` : ''}: called EUR ${euros(st.calledCents)}, contributed EUR ${euros(st.contributedCents)}, refunded EUR ${euros(st.refundedCents)}`,
    );
  }
  return pdfBytes(doc);
}

/** The half year's first and last day. */
export function halfYear(year: number, half: 1 | 2): { start: string; end: string } {
  return half === 1
    ? { start: `${year}-01-01`, end: `${year}-06-30` }
    : { start: `${year}-07-01`, end: `${year}-12-31` };
}

/** The monitoring figures of one half year (money booked and claims submitted, decided or paid in it). */
export function monitoring(s: FundSnapshot, year: number, half: 1 | 2) {
  const { start, end } = halfYear(year, half);
  const inPeriod = (d: string | null) => d !== null && d >= start && d <= end;
  const before = s.entries.filter((e) => e.bookedOn < start);
  const within = s.entries.filter((e) => inPeriod(e.bookedOn));
  const opening = before.reduce((a, e) => a + e.signedCents, 0);
  const total = (kind: string) =>
    Math.abs(within.filter((e) => e.kind === kind).reduce((a, e) => a + e.signedCents, 0));
  const day = (iso: string | null) => (iso ? iso.slice(0, 10) : null);
  const submitted = s.claims.filter((c) => inPeriod(day(c.submittedAt)));
  const decided = s.claims.filter((c) => inPeriod(day(c.decidedAt)));
  const paid = s.claims.filter((c) => inPeriod(c.paidOn));
  const paidByCategoryCents = Object.fromEntries(CLAIM_CATEGORIES.map((k) => [k, 0])) as Record<
    ClaimCategory,
    number
  >;
  for (const c of paid) for (const k of c.categories) paidByCategoryCents[k.category] += k.amountCents;
  const partiesAtEnd = Object.fromEntries(PARTY_KINDS.map((k) => [k, 0])) as Record<PartyKind, number>;
  for (const p of s.parties)
    if (p.joinedOn <= end && (p.leftOn === null || p.leftOn > end)) partiesAtEnd[p.kind] += 1;
  const calls = s.calls.filter((c) => inPeriod(c.calledOn));
  return {
    fundId: s.fund.fundId,
    periodStart: start,
    periodEnd: end,
    openingBalanceCents: opening,
    closingBalanceCents: opening + within.reduce((a, e) => a + e.signedCents, 0),
    contributionsCents: total('CONTRIBUTION'),
    payoutsCents: total('PAYOUT'),
    refundsCents: total('REFUND'),
    callsMade: calls.length,
    topUpCalls: calls.filter((c) => c.kind === 'TOP_UP').length,
    claimsSubmitted: submitted.length,
    claimsApproved: decided.filter((c) => c.status === 'APPROVED' || c.status === 'PAID').length,
    claimsApprovedWithDeviation: decided.filter((c) => c.deviationJustification !== null).length,
    claimsRefused: decided.filter((c) => c.status === 'REFUSED').length,
    claimsPaid: paid.length,
    claimsOpen: s.claims.filter(
      (c) =>
        day(c.submittedAt)! <= end &&
        !(c.status === 'REFUSED' && day(c.decidedAt)! <= end) &&
        !(c.status === 'PAID' && (c.paidOn ?? '') <= end),
    ).length,
    paidByCategoryCents,
    evictions: submitted.filter((c) => c.tenancyEnd === 'EVICTION').length,
    departures: submitted.filter((c) => c.tenancyEnd === 'DEPARTURE').length,
    partiesAtEnd,
  };
}
