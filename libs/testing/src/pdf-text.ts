import { spawnSync } from 'node:child_process';

/**
 * Text of a PDF, extracted with pdf-parse v2 in a child node process: pdfjs loads its worker with a dynamic
 * import, which jest's VM sandbox refuses without --experimental-vm-modules.
 */
export function pdfText(pdf: Buffer): string {
  const script = `
    const { PDFParse } = require('pdf-parse');
    const chunks = [];
    process.stdin.on('data', (c) => chunks.push(c));
    process.stdin.on('end', async () => {
      const p = new PDFParse({ data: Buffer.concat(chunks) });
      process.stdout.write((await p.getText()).text);
      await p.destroy();
    });`;
  const r = spawnSync(process.execPath, ['-e', script], { input: pdf, cwd: __dirname, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pdf-parse failed: ${r.stderr}`);
  return r.stdout;
}
