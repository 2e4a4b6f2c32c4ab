import { randomUUID } from 'node:crypto';
import { BillingTestApp } from './support';

const CSV_HEADER =
  'invoiceNumber,issuer,payerOrganisationId,periodStart,periodEnd,currency,unit,count,amountCents,totalCents,creditsInvoiceNumber';

/** Issue 13, items 5 and 6: bad input gets a 4xx problem document, never a 5xx or a crash. */
describe('billing-reconciliation: input bounds (real PostgreSQL, Kafka, registry)', () => {
  const MAX_BYTES = 25_000_000;
  const t = new BillingTestApp({ BILLING_INVOICE_FILE_MAX_BYTES: String(MAX_BYTES) });
  let finance = '';
  let operator = '';
  let payer = '';

  const csv = (body: string | Buffer, token = finance) =>
    t.raw('POST', '/invoices', {
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
      body,
    });
  const json = (r: { body: Buffer }) => JSON.parse(r.body.toString('utf8')) as Record<string, unknown>;

  beforeAll(async () => {
    await t.start();
    operator = t.platformOperator();
    payer = await t.organisation('Woonstichting Grens', 'CORPORATION', 'A');
    await t.waitForRows('organisations', 1);
    // The payer's own finance officer: an invoice file holding another payer's invoice is refused whole (ADR 0014).
    finance = t.token(payer, ['finance'], 'finance-officer');
  }, 120_000);
  afterAll(() => t.stop());

  describe.each([
    ['POST /reconciliations/dry-run periodStart', 'POST', '/reconciliations/dry-run', 'periodStart'],
    ['POST /reconciliations/dry-run periodEnd', 'POST', '/reconciliations/dry-run', 'periodEnd'],
    ['POST /reconciliations/close periodStart', 'POST', '/reconciliations/close', 'periodStart'],
    ['POST /reconciliations/reopen periodEnd', 'POST', '/reconciliations/reopen', 'periodEnd'],
  ])('%s = 0000-01-01', (_name, method, path, field) => {
    it('answers 400 problem+json naming the field', async () => {
      const body = {
        payerOrganisationId: payer,
        periodStart: '2025-03-01',
        periodEnd: '2025-03-31',
        ...(path.endsWith('reopen') ? { reason: 'correction' } : {}),
      };
      const res = await t.call(method, path, finance, { ...body, [field]: '0000-01-01' });
      expect(res.status).toBe(400);
      expect(res.type).toContain('application/problem+json');
      expect((res.json.errors as { field: string }[]).map((e) => e.field)).toEqual([field]);
    });
  });

  it.each([['periodStart'], ['periodEnd']])(
    'GET /reconciliations?%s=0000-01-01 answers 400',
    async (field) => {
      const query = new URLSearchParams({
        payerOrganisationId: payer,
        periodStart: '2025-03-01',
        periodEnd: '2025-03-31',
        [field]: '0000-01-01',
      });
      const res = await t.call('GET', `/reconciliations?${query.toString()}`, finance);
      expect(res.status).toBe(400);
      expect((res.json.errors as { field: string }[]).map((e) => e.field)).toEqual([field]);
    },
  );

  it('PUT /allocation-keys effectiveFrom = 0000-01-01 answers 400', async () => {
    const res = await t.call('PUT', `/allocation-keys/${payer}`, operator, {
      effectiveFrom: '0000-01-01',
      basis: 'EQUAL',
    });
    expect(res.status).toBe(400);
    expect((res.json.errors as { field: string }[]).map((e) => e.field)).toEqual(['effectiveFrom']);
  });

  it.each([['0000-01-01'], ['9999-01-01'], ['2023-12-31']])(
    'PUT /tariffs validFrom %s answers 400',
    async (validFrom) => {
      const res = await t.call('PUT', '/tariffs', operator, {
        issuer: 'LOGIUS',
        unit: 'DIGID_LOGIN',
        validFrom,
        unitPriceMillicents: 35000,
      });
      expect(res.status).toBe(400);
      expect(res.type).toContain('application/problem+json');
      expect((res.json.errors as { field: string }[]).map((e) => e.field)).toEqual(['validFrom']);
      expect(await t.count(`tariffs WHERE valid_from > '2099-12-31' OR valid_from < '2024-01-01'`)).toBe(0);
    },
  );

  it('an invoice CSV period of 0000-01-01 is a problem in the report, not a 5xx', async () => {
    const res = await csv(
      `${CSV_HEADER}\nB-1,LOGIUS,${payer},0000-01-01,2025-03-31,EUR,DIGID_LOGIN,1,35,35,\n`,
    );
    expect(res.status).toBe(422);
    const problems = json(res).problems as { line: number; field: string }[];
    expect(problems.map((p) => [p.line, p.field])).toEqual([[2, 'periodStart']]);
  });

  it('parses a quoted field with a line break as one record (CRLF file, quoted fields)', async () => {
    const rows = [
      CSV_HEADER,
      `"Q-1","LOGIUS","${payer}","2025-03-01","2025-03-31","EUR","DIGID_LOGIN","2","70","70",""`,
      `"Q-2\r\nX",LOGIUS,${payer},2025-03-01,2025-03-31,EUR,DIGID_LOGIN,1,35,35,`,
      `Q-3,LOGIUS,${payer},2025-03-01,2025-03-31,EUR,DIGID_LOGIN,x,35,35,`,
    ];
    const res = await csv(rows.join('\r\n'));
    expect(res.status).toBe(422);
    // The quoted break keeps Q-2 one record (lines 3-4): one problem, its invoice number; Q-3 is on line 5.
    const problems = json(res).problems as { line: number; field: string }[];
    expect(problems.map((p) => [p.line, p.field])).toEqual([
      [3, 'invoiceNumber'],
      [5, 'count'],
    ]);
    const good = await csv([rows[0], rows[1]].join('\r\n'));
    expect(good.status).toBe(201);
    expect((json(good).invoices as { invoiceNumber: string }[]).map((i) => i.invoiceNumber)).toEqual(['Q-1']);
  });

  it('refuses an invoice file over the size limit with 413 problem+json', async () => {
    const res = await csv(Buffer.alloc(MAX_BYTES + 1, 'a'));
    expect(res.status).toBe(413);
    expect(res.type).toContain('application/problem+json');
    // The HTTP layer enforces BILLING_INVOICE_FILE_MAX_BYTES for this route, naming the limit.
    expect(json(res)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(json(res).detail).toContain(`(${MAX_BYTES} bytes)`);
  });

  it('reports 200 000 bad lines with a capped problem list and a total, and keeps answering', async () => {
    // Invoices of a payer nobody knows: only the platform operator may import a file for other payers.
    const unknownPayer = randomUUID();
    const lines = [CSV_HEADER];
    for (let i = 0; i < 200_000; i++)
      lines.push(`U-${i},LOGIUS,${unknownPayer},2025-03-01,2025-03-31,EUR,DIGID_LOGIN,1,35,35,`);
    const res = await csv(lines.join('\n'), operator);
    expect(res.status).toBe(422);
    const body = json(res);
    expect(body).toMatchObject({
      code: 'INVOICE_FILE_INVALID',
      problemsTotal: 200_000,
      problemsListed: 1000,
    });
    const problems = body.problems as { line: number; field: string }[];
    expect(problems).toHaveLength(1000);
    expect(problems[0]).toMatchObject({ line: 2, field: 'payerOrganisationId' });
    expect(await t.count('invoices')).toBe(1);
    expect((await t.call('GET', '/tariffs', operator)).status).toBe(200);
  }, 180_000);
});
