import PDFDocument from 'pdfkit';
import type { ConformanceReport, PointStatus } from './conformance';

const STATUS_TEXT: Record<PointStatus, string> = {
  SHOWN: 'shown by the platform',
  ATTENTION: 'ATTENTION: the evidence shows a gap',
  ORGANISATIONAL: 'organisational: the organisation shows this itself',
  PARTLY_ORGANISATIONAL: 'partly shown; the rest is organisational',
};

/** The conformance report as a readable PDF: one section per conformance point, then the raw counts' source. */
export function renderConformancePdf(report: ConformanceReport): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: 'A4',
      margin: 50,
      info: { Title: `DIV-it conformance ${report.organisationId} ${report.from}..${report.to}` },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);

    doc.font('Helvetica-Bold').fontSize(16).text(`${report.standard} conformance report`);
    doc.font('Helvetica').fontSize(10);
    doc.text(`Organisation ${report.organisationId}`);
    doc.text(`Period ${report.from} up to ${report.to} (UTC days; end exclusive)`);
    doc.text(
      `Generated ${report.generatedAt} from the services' conformance evidence (counts only, no personal data)`,
    );
    const tally = new Map<PointStatus, number>();
    for (const p of report.points) tally.set(p.status, (tally.get(p.status) ?? 0) + 1);
    doc.moveDown(0.5).text([...tally].map(([s, n]) => `${n} ${STATUS_TEXT[s]}`).join(' · '));
    for (const p of report.points) {
      doc.moveDown(0.8);
      doc.font('Helvetica-Bold').fontSize(11).text(`${p.point}. ${p.requirement}`);
      doc.font('Helvetica-Oblique').fontSize(10).text(STATUS_TEXT[p.status]);
      doc.font('Helvetica').fontSize(9);
      for (const line of p.evidence) doc.text(`• ${line}`, { indent: 10 });
      for (const note of p.notes) doc.text(`→ ${note}`, { indent: 10 });
    }
    doc.end();
  });
}
