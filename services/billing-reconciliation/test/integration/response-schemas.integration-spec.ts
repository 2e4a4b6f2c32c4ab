import { z } from 'zod';
import { invoiceFileJsonSchema } from '../../src/invoices/dto/invoice-file.dto';
import {
  importResponseSchema,
  invoiceListResponseSchema,
  invoiceResponseSchema,
} from '../../src/invoices/dto/invoice-response.dto';
import {
  allocationKeyListResponseSchema,
  discrepancyReportResponseSchema,
  dryRunResponseSchema,
  reconciliationListResponseSchema,
  reconciliationResponseSchema,
} from '../../src/reconciliation/dto/reconciliation-response.dto';
import { tariffListResponseSchema, tariffResponseSchema } from '../../src/tariffs/dto/tariff-response.dto';
import { BillingTestApp, HttpResult, pdfText, times, usageOf } from './support';

const MARCH = { periodStart: '2025-03-01', periodEnd: '2025-03-31' };
const CSV_HEADER =
  'invoiceNumber,issuer,payerOrganisationId,periodStart,periodEnd,currency,unit,count,amountCents,totalCents,creditsInvoiceNumber';

/**
 * The response schemas the OpenAPI document is generated from describe what the service really answers:
 * every JSON success response of the main operations is parsed with its (strict) schema, so a field the
 * code adds, drops or fills differently fails here; files answer with the media type the document names.
 */
describe('billing-reconciliation: real HTTP responses match the documented response schemas', () => {
  const t = new BillingTestApp();
  let operator: string;
  let allocator: string;
  let m1: string;
  let m2: string;

  /** Expects `status` and a JSON body, and parses that body with the schema (throws naming each mismatch). */
  const body = <S extends z.ZodType>(schema: S, res: HttpResult, status = 200): z.output<S> => {
    expect({ status: res.status, type: res.type }).toEqual({
      status,
      type: expect.stringContaining('application/json') as unknown,
    });
    return schema.parse(JSON.parse(res.text));
  };

  beforeAll(async () => {
    await t.start();
    operator = t.platformOperator();
    m1 = await t.organisation('Corporatie Eén', 'CORPORATION', 'A');
    m2 = await t.organisation('Corporatie Twee', 'CORPORATION', 'A');
    allocator = await t.organisation('Woonruimteverdeler Schema', 'HOUSING_ALLOCATOR', 'B');
    await t.member(allocator, m1, 3000);
    await t.member(allocator, m2, 1000);
    await t.waitForRows('housing_stock', 2);
    await t.usage([
      ...times(5, (i) => usageOf(allocator, 'DIGID_LOGIN', `2025-03-0${i + 1}T10:00:00Z`)),
      ...times(3, (i) => usageOf(allocator, 'DATA_SHARING', `2025-03-1${i}T10:00:00Z`, m1)),
    ]);
    expect(await t.waitForRows('usage_records', 8)).toBe(8);
  });

  afterAll(async () => {
    await t.stop();
  });

  it('tariffs: GET lists file and admin tariffs, PUT answers the tariff set', async () => {
    const set = body(
      tariffResponseSchema,
      await t.call('PUT', '/tariffs', operator, {
        issuer: 'SCHEMA-TEST',
        unit: 'DIGID_LOGIN',
        validFrom: '2030-01-01',
        unitPriceMillicents: 40000,
      }),
    );
    expect(set).toMatchObject({ issuer: 'SCHEMA-TEST', source: 'ADMIN', assumption: false });
    const list = body(tariffListResponseSchema, await t.call('GET', '/tariffs', operator));
    expect(new Set(list.map((l) => l.source))).toEqual(new Set(['FILE', 'ADMIN']));
  });

  it('invoices: JSON and CSV imports, the list and one invoice', async () => {
    const file = {
      invoiceNumber: 'S-2025-03',
      issuer: 'LOGIUS',
      payerOrganisationId: allocator,
      ...MARCH,
      currency: 'EUR',
      totalCents: 375,
      lines: [
        { unit: 'DIGID_LOGIN', count: 5, amountCents: 188 },
        { unit: 'DATA_SHARING', count: 3, amountCents: 187 },
      ],
    };
    // The documented request schema of the JSON file describes a file the service imports.
    expect(invoiceFileJsonSchema.safeParse(file).success).toBe(true);
    expect(invoiceFileJsonSchema.safeParse({ invoices: [file] }).success).toBe(true);
    const imported = body(importResponseSchema, await t.call('POST', '/invoices', operator, file), 201);
    expect(imported.invoices).toHaveLength(1);
    const csv = await t.raw('POST', '/invoices', {
      headers: { authorization: `Bearer ${operator}`, 'content-type': 'text/csv' },
      body: [
        CSV_HEADER,
        `S-2025-03-CR,LOGIUS,${allocator},2025-03-01,2025-03-31,EUR,DATA_SHARING,1,62,62,S-2025-03`,
      ].join('\n'),
    });
    expect({ status: csv.status, type: csv.type }).toEqual({
      status: 201,
      type: expect.stringContaining('application/json') as unknown,
    });
    const credit = importResponseSchema.parse(JSON.parse(csv.body.toString('utf8')));
    expect(credit.invoices[0]).toMatchObject({ credit: true, creditsInvoiceNumber: 'S-2025-03' });

    const list = body(
      invoiceListResponseSchema,
      await t.call('GET', `/invoices?payerOrganisationId=${allocator}`, operator),
    );
    expect(list.map((i) => i.invoiceNumber).sort()).toEqual(['S-2025-03', 'S-2025-03-CR']);
    const one = body(
      invoiceResponseSchema,
      await t.call('GET', `/invoices/${imported.invoices[0]!.invoiceId}`, operator),
    );
    expect(one).toEqual(imported.invoices[0]);
  });

  it('allocation keys: PUT (fixed percentages) and GET answer every key of the payer', async () => {
    const coordinator = t.token(allocator, ['coordinator']);
    const set = body(
      allocationKeyListResponseSchema,
      await t.call('PUT', `/allocation-keys/${allocator}`, coordinator, {
        effectiveFrom: '2025-01-01',
        basis: 'FIXED_PERCENTAGES',
        fixedPercentages: [
          { memberOrganisationId: m1, basisPoints: 7500 },
          { memberOrganisationId: m2, basisPoints: 2500 },
        ],
      }),
    );
    expect(set).toEqual([
      {
        effectiveFrom: '2025-01-01',
        basis: 'FIXED_PERCENTAGES',
        fixedBasisPoints: { [m1]: 7500, [m2]: 2500 },
      },
    ]);
    const equal = body(
      allocationKeyListResponseSchema,
      await t.call('PUT', `/allocation-keys/${allocator}`, coordinator, {
        effectiveFrom: '2025-06-01',
        basis: 'EQUAL',
      }),
    );
    expect(equal.map((k) => k.fixedBasisPoints === null)).toEqual([false, true]);
    expect(
      body(
        allocationKeyListResponseSchema,
        await t.call('GET', `/allocation-keys/${allocator}`, coordinator),
      ),
    ).toEqual(equal);
  });

  it('reconciliations: dry run, close, re-open, versions, one version, discrepancies and the files', async () => {
    const period = { payerOrganisationId: allocator, ...MARCH };
    const dry = body(
      dryRunResponseSchema,
      await t.call('POST', '/reconciliations/dry-run', operator, period),
    );
    expect(dry).toMatchObject({ dryRun: true, route: 'B', split: { basis: 'FIXED_PERCENTAGES' } });
    expect(dry.split.parts).toHaveLength(2);
    expect(dry.discrepancies.length).toBeGreaterThan(0);

    const v1 = body(
      reconciliationResponseSchema,
      await t.call('POST', '/reconciliations/close', operator, period),
      201,
    );
    expect(v1).toMatchObject({ version: 1, reopenedAt: null, reopenReason: null });

    // Usage for the closed period arrives late: the discrepancy report lists it.
    const late = usageOf(allocator, 'DATA_SHARING', '2025-03-20T10:00:00Z', m2);
    await t.usage([late]);
    expect(await t.waitForRows('usage_records', 1, `usage_id = '${late.usageId}' AND late`)).toBe(1);
    const report = body(
      discrepancyReportResponseSchema,
      await t.call('GET', `/reconciliations/${v1.reconciliationId}/discrepancies?format=json`, operator),
    );
    expect(report.lateUsage.map((l) => l.usageId)).toEqual([late.usageId]);
    expect(report.discrepancies).toEqual(v1.result.discrepancies);

    const reopened = body(
      reconciliationListResponseSchema,
      await t.call('POST', '/reconciliations/reopen', operator, { ...period, reason: 'late usage arrived' }),
    );
    expect(reopened.map((r) => [r.version, r.reopenReason])).toEqual([[1, 'late usage arrived']]);
    const v2 = body(
      reconciliationResponseSchema,
      await t.call('POST', '/reconciliations/close', operator, period),
      201,
    );
    expect(v2.version).toBe(2);
    const versions = body(
      reconciliationListResponseSchema,
      await t.call(
        'GET',
        `/reconciliations?payerOrganisationId=${allocator}&periodStart=${MARCH.periodStart}&periodEnd=${MARCH.periodEnd}`,
        operator,
      ),
    );
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
    expect(
      body(
        reconciliationResponseSchema,
        await t.call('GET', `/reconciliations/${v2.reconciliationId}`, operator),
      ),
    ).toEqual(v2);

    // The files answer with the media types the document names.
    const file = (path: string) =>
      t.raw('GET', `/reconciliations/${v2.reconciliationId}${path}`, {
        headers: { authorization: `Bearer ${operator}` },
      });
    const statements = await file('/statements');
    expect([statements.status, statements.type]).toEqual([200, 'text/csv; charset=utf-8']);
    expect(statements.body.toString('utf8')).toContain(m1);
    const csvStatement = await file(`/statements/${m1}?format=csv`);
    expect([csvStatement.status, csvStatement.type]).toEqual([200, 'text/csv; charset=utf-8']);
    const pdfStatement = await file(`/statements/${m1}?format=pdf`);
    expect([pdfStatement.status, pdfStatement.type]).toEqual([200, 'application/pdf']);
    expect(pdfText(pdfStatement.body)).toContain('Amount due: EUR');
    const overview = await file('/overview');
    expect([overview.status, overview.type]).toEqual([200, 'application/pdf']);
    const csvReport = await file('/discrepancies?format=csv');
    expect([csvReport.status, csvReport.type]).toEqual([200, 'text/csv; charset=utf-8']);
    expect(csvReport.body.toString('utf8')).toContain(late.usageId);
  });

  it('errors answer application/problem+json with the code the document lists', async () => {
    const res = await t.call('GET', `/invoices/${m1}`, operator);
    expect(res.status).toBe(404);
    expect(res.type).toContain('application/problem+json');
    expect(
      z
        .object({
          type: z.string(),
          title: z.string(),
          status: z.literal(404),
          code: z.literal('INVOICE_NOT_FOUND'),
        })
        .safeParse(res.json).success,
    ).toBe(true);
  });
});
