/**
 * The subject-access report (issue 16 item 7, docs/adr/0032): the six services' sections about one registration
 * and the persons under it, assembled into one JSON document and one readable PDF. Assembly refuses a partial
 * report (a section missing, malformed or about another registration), and the output is scanned for anything
 * that looks like a BSN before it is written (libs/testing's checks); nothing is written when the scan finds one.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import {
  SUBJECT_ACCESS_SERVICES,
  SubjectAccessSection,
  subjectAccessSectionView,
  SubjectAccessService,
} from '@divit/service-kit';
import { findBsnShapes, pdfText, scanForBsnLeaks } from '@divit/testing';

export interface SubjectAccessReport {
  report: 'DIV-it subject-access report';
  registrationId: string;
  organisationId: string;
  generatedAt: string;
  note: string;
  sections: SubjectAccessSection[];
}

/** A report that must not be written: a service did not answer, or the output looks like it holds a BSN. */
export class SubjectAccessReportError extends Error {}

const NOTE =
  'What DIV-it holds about this registration and the persons under it (home seeker, household members, co-residents), per service. ' +
  'A BSN is never part of it: identity-validation keeps only a keyed hash of the BSN, of which this report names the key id and dates, never the value.';

/** One section per service, each valid and about this registration; otherwise no report at all. */
export function assembleReport(input: {
  registrationId: string;
  organisationId: string;
  sections: Partial<Record<SubjectAccessService, unknown>>;
  generatedAt?: Date;
}): SubjectAccessReport {
  const missing = SUBJECT_ACCESS_SERVICES.filter((s) => input.sections[s] === undefined);
  if (missing.length > 0)
    throw new SubjectAccessReportError(
      `no section from ${missing.join(', ')}: a partial report is not written`,
    );
  const sections = SUBJECT_ACCESS_SERVICES.map((service) => {
    const parsed = subjectAccessSectionView.safeParse(input.sections[service]);
    if (!parsed.success)
      throw new SubjectAccessReportError(`the section of ${service} is not a subject-access section`);
    if (parsed.data.service !== service || parsed.data.registrationId !== input.registrationId)
      throw new SubjectAccessReportError(
        `the section of ${service} is about ${parsed.data.service} ${parsed.data.registrationId}, not ${input.registrationId}`,
      );
    return parsed.data;
  });
  return {
    report: 'DIV-it subject-access report',
    registrationId: input.registrationId,
    organisationId: input.organisationId,
    generatedAt: (input.generatedAt ?? new Date()).toISOString(),
    note: NOTE,
    sections,
  };
}

const scalar = (v: unknown): string =>
  v === null || v === undefined ? '-' : typeof v === 'string' ? v : JSON.stringify(v);

/** A readable PDF: per service, per category its description and every record as field: value lines. */
export function renderReportPdf(report: SubjectAccessReport): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: 'A4',
      margin: 50,
      info: { Title: `Subject-access report ${report.registrationId}` },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);

    doc.font('Helvetica-Bold').fontSize(16).text('DIV-it subject-access report');
    doc.font('Helvetica').fontSize(10);
    doc.text(`Registration: ${report.registrationId}`);
    doc.text(`Organisation: ${report.organisationId}`);
    doc.text(`Generated at: ${report.generatedAt}`);
    doc.text(report.note);
    for (const section of report.sections) {
      doc.moveDown();
      doc.font('Helvetica-Bold').fontSize(14).text(`Service: ${section.service}`);
      doc.font('Helvetica').fontSize(9).text(`Section generated at ${section.generatedAt}`);
      for (const category of section.categories) {
        doc.moveDown(0.5);
        doc.font('Helvetica-Bold').fontSize(11).text(`${category.category} (${category.records.length})`);
        doc.font('Helvetica-Oblique').fontSize(9).text(category.description);
        doc.font('Helvetica').fontSize(9);
        if (category.records.length === 0) doc.text('Nothing held.');
        category.records.forEach((record, i) => {
          doc.font('Helvetica-Bold').text(`#${i + 1}`);
          doc.font('Helvetica');
          for (const [key, value] of Object.entries(record))
            doc.text(`${key}: ${scalar(value)}`, { indent: 10 });
        });
      }
    }
    doc.end();
  });
}

/**
 * Refuses output that looks like it holds a BSN: any elfproef-valid nine digits in the JSON or the PDF's text,
 * and, when BSNs are known (the demonstration's test persons), every encoding libs/testing's leak scan knows.
 */
export async function assertNoBsn(
  json: string,
  pdf: Buffer,
  knownBsns: readonly string[] = [],
): Promise<void> {
  const text = pdfText(pdf);
  const shapes = [...findBsnShapes(json), ...findBsnShapes(text)].map((h) => `BSN-like number ${h.masked}`);
  const leaks = knownBsns.length
    ? (await scanForBsnLeaks({ bsns: knownBsns, logs: [json, text, pdf.toString('latin1')] })).map(
        (h) => `BSN ${h.bsn} (${h.encoding})`,
      )
    : [];
  const found = [...new Set([...shapes, ...leaks])];
  if (found.length > 0)
    throw new SubjectAccessReportError(
      `the report looks like it holds a BSN, not written: ${found.join('; ')}`,
    );
}

/** Renders, scans, and only then writes `subject-access-<registration>.json` and `.pdf` into `dir`. */
export async function writeReport(
  report: SubjectAccessReport,
  dir: string,
  knownBsns: readonly string[] = [],
): Promise<{ json: string; pdf: string }> {
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const pdf = await renderReportPdf(report);
  await assertNoBsn(json, pdf, knownBsns);
  // Readable by this user only (0600 in a 0700 folder): the report names a person.
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const base = path.join(dir, `subject-access-${report.registrationId}`);
  for (const [file, body] of [
    [`${base}.json`, json],
    [`${base}.pdf`, pdf],
  ] as const) {
    writeFileSync(file, body, { mode: 0o600 });
    chmodSync(file, 0o600); // an existing file keeps its old mode on write
  }
  return { json: `${base}.json`, pdf: `${base}.pdf` };
}
