/**
 * The one way services make PDFs (pdfkit). pdfkit is loaded on the first PDF a service renders, not when the
 * service starts: with its font metrics and crypto-js it costs about 10 MiB of every idle service that can
 * render a PDF, and most never do between restarts (issue 18, idle memory). The first PDF pays its load once
 * (about 100 ms).
 */
import type PdfKit from 'pdfkit';

/** A pdfkit document, for helpers that draw into one. */
export type PdfDocument = PDFKit.PDFDocument;

let pdfkit: typeof PdfKit | undefined;

/** A new document in the services' one page layout (A4, 50 pt margins) with its title; loads pdfkit on the first call. */
export function newPdfDocument(title: string): PdfDocument {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use on purpose (see above)
  pdfkit ??= require('pdfkit') as typeof PdfKit;
  return new pdfkit({ size: 'A4', margin: 50, info: { Title: title } });
}

/** Whether pdfkit has been loaded in this process (for the test that start-up does not load it). */
export function pdfKitLoaded(): boolean {
  return pdfkit !== undefined;
}

/** Ends the document and resolves with the PDF's bytes once pdfkit has written them; rejects on pdfkit's error. */
export function pdfBytes(doc: PdfDocument): Promise<Buffer> {
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  return new Promise((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.end();
  });
}
