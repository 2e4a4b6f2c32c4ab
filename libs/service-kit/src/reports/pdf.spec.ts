import * as serviceKit from '../index';
import { newPdfDocument, pdfBytes, pdfKitLoaded } from './pdf';

describe('PDFs (pdfkit loaded on first use)', () => {
  it('loading service-kit does not load pdfkit; the first document does, and renders a PDF', async () => {
    expect(serviceKit.newPdfDocument).toBe(newPdfDocument);
    expect(pdfKitLoaded()).toBe(false);

    const doc = newPdfDocument('test');
    expect(pdfKitLoaded()).toBe(true);
    doc.font('Helvetica').fontSize(10).text('één regel');
    const bytes = await pdfBytes(doc);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(bytes.subarray(-6).toString('latin1')).toContain('%%EOF');
  });

  it('pdfBytes rejects when pdfkit reports an error', async () => {
    const doc = newPdfDocument('error');
    const bytes = pdfBytes(doc);
    doc.emit('error', new Error('disk full'));
    await expect(bytes).rejects.toThrow('disk full');
  });
});
