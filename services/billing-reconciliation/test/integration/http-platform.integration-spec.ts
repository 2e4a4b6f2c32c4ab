import { randomUUID } from 'node:crypto';
import { BillingTestApp } from './support';

/** The shared platform HTTP layer (PlatformHttpModule + configureHttpApp) is installed in billing-reconciliation. */
describe('billing-reconciliation: platform HTTP layer (real PostgreSQL, Kafka, registry)', () => {
  const t = new BillingTestApp();
  beforeAll(async () => {
    await t.start();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('answers the probes with the security headers and no x-powered-by', async () => {
    const live = await fetch(`${t.url}/health/live`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${t.url}/health/ready`, { signal: AbortSignal.timeout(10_000) });
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ok',
      checks: { database: 'ok', migrations: 'ok', messaging: 'ok' },
    });
    expect(ready.headers.get('x-powered-by')).toBeNull();
    expect(ready.headers.get('x-content-type-options')).toBe('nosniff');
    expect(ready.headers.get('cache-control')).toBe('no-store');
  });

  it('answers a 2 MiB JSON body with 413 problem+json and a NUL in a body string with 400', async () => {
    const path = '/tariffs';
    const big = await t.raw('PUT', path, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(big.status).toBe(413);
    expect(big.type).toContain('application/problem+json');
    const nul = await t.raw('PUT', path, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'a\u0000b' }),
    });
    expect(nul.status).toBe(400);
    expect(JSON.parse(nul.body.toString('utf8'))).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ field: 'text' }],
    });
  });

  it('keeps the invoice import on its own larger limit (BILLING_INVOICE_FILE_MAX_BYTES, 10 MiB): 2 MiB is read, 17 MiB is 413', async () => {
    const finance = t.token(randomUUID(), ['finance']);
    const row = `invoice,${'x'.repeat(2 * 1024 * 1024)}\n`;
    const read = await t.raw('POST', '/invoices', {
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${finance}` },
      body: row,
    });
    expect(read.status).not.toBe(413);
    expect(read.status).toBeLessThan(500);
    const tooLarge = await t.raw('POST', '/invoices', {
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${finance}` },
      body: Buffer.alloc(17 * 1024 * 1024, 'x'),
    });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.type).toContain('application/problem+json');
    // The same without a Content-Length (chunked): counted while the handler reads it. The server answers 413 and
    // stops reading; a client still streaming may see that answer or, if the server closed first, a reset
    // connection (EPIPE): both are refusals. Never a 5xx, nothing imported, and the service answers afterwards.
    const invoicesBefore = await t.count('invoices');
    let chunkedStatus: number | string;
    try {
      const chunked = await fetch(`${t.url}/invoices`, {
        method: 'POST',
        headers: { 'content-type': 'text/csv', authorization: `Bearer ${finance}` },
        body: new ReadableStream({
          start(controller) {
            const chunk = new Uint8Array(1024 * 1024).fill(120);
            for (let i = 0; i < 17; i++) controller.enqueue(chunk);
            controller.close();
          },
        }),
        duplex: 'half',
      });
      chunkedStatus = chunked.status;
      expect(await chunked.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    } catch (error) {
      chunkedStatus = String((error as { cause?: { code?: string } }).cause?.code ?? error);
    }
    expect([413, 'EPIPE', 'ECONNRESET']).toContain(chunkedStatus);
    expect(await t.count('invoices')).toBe(invoicesBefore);
    expect((await t.raw('GET', '/health/live', {})).status).toBe(200);
  });
});
