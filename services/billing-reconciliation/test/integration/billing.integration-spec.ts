import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ErasureRequestedEvent } from '@divit/contracts';
import { pendingSchemaChanges } from '@divit/persistence';
import { invoiceFileProblemMembers } from '../../src/invoices/dto/invoice-response.dto';
import { BillingTestApp, pdfText, times, usageOf } from './support';

const MARCH = { periodStart: '2025-03-01', periodEnd: '2025-03-31' };
const CSV_HEADER =
  'invoiceNumber,issuer,payerOrganisationId,periodStart,periodEnd,currency,unit,count,amountCents,totalCents,creditsInvoiceNumber';

describe('billing-reconciliation on the real stack', () => {
  const t = new BillingTestApp();
  let finance: string;
  let routeA: string;
  let allocator: string;
  let m1: string;
  let m2: string;
  let collaboration: string;
  let pip: string;
  let m3: string;

  const invoice = (number: string, payer: string, lines: [string, number, number][], credits?: string) => ({
    invoiceNumber: number,
    issuer: 'LOGIUS',
    payerOrganisationId: payer,
    ...MARCH,
    currency: 'EUR',
    totalCents: lines.reduce((a, l) => a + l[2], 0),
    ...(credits ? { creditsInvoiceNumber: credits } : {}),
    lines: lines.map(([unit, count, amountCents]) => ({ unit, count, amountCents })),
  });

  beforeAll(async () => {
    await t.start();
    // Invoices of several payers: the platform operator (an organisation's finance acts for its own organisation
    // only: tenancy.integration-spec.ts).
    finance = t.platformOperator();
    routeA = await t.organisation('Woonstichting Alleen', 'CORPORATION', 'A');
    m1 = await t.organisation('Corporatie Eén', 'CORPORATION', 'A');
    m2 = await t.organisation('Corporatie Twee', 'CORPORATION', 'A');
    m3 = await t.organisation('Corporatie Drie', 'CORPORATION', 'A');
    pip = await t.organisation('Corporatie PIP', 'CORPORATION', 'A');
    allocator = await t.organisation('Woonruimteverdeler Regio', 'HOUSING_ALLOCATOR', 'B');
    collaboration = await t.organisation('Samenwerking Zuid', 'COLLABORATION', 'C', pip);
    await t.member(allocator, m1, 3000);
    await t.member(allocator, m2, 1000);
    await t.member(collaboration, pip, 2000);
    await t.member(collaboration, m3, 2000);
    await t.waitForRows('housing_stock', 4);
  });

  afterAll(async () => {
    await t.stop();
  });

  it('entities and migrations agree', async () => {
    expect(await pendingSchemaChanges(t.db.dataSource)).toEqual([]);
  });

  it('counts duplicate and replayed usage once (unique key on usage id, not only the inbox)', async () => {
    const logins = times(10, (i) =>
      usageOf(allocator, 'DIGID_LOGIN', `2025-03-${String(i + 1).padStart(2, '0')}T10:00:00Z`),
    );
    const sharings = [
      usageOf(allocator, 'DATA_SHARING', '2025-03-05T10:00:00Z', m1),
      usageOf(allocator, 'DATA_SHARING', '2025-03-06T10:00:00Z', m1),
      ...times(4, (i) => usageOf(allocator, 'DATA_SHARING', `2025-03-1${i}T10:00:00Z`)),
    ];
    const all = [...logins, ...sharings];
    // The same usage twice in one go, then a replay of two (new Kafka messages, new event ids).
    await t.usage([...all, all[0]!]);
    await t.usage([all[1]!, all[12 - 1]!]);
    await t.usage([usageOf(allocator, 'DIGID_LOGIN', '2025-02-28T22:59:59Z')]); // 28 Feb 23:59:59 Amsterdam: not March
    expect(await t.waitForRows('usage_records', 17)).toBe(17);
    const march = await t.query<{ c: number }>(
      `SELECT count(*)::int AS c FROM usage_records WHERE organisation_id = $1 AND occurred_at >= '2025-02-28T23:00:00Z'`,
      [allocator],
    );
    expect(march[0]?.c).toBe(16);
  });

  it('refuses a bad invoice file with a report naming each problem, and imports nothing', async () => {
    const csv = [
      CSV_HEADER,
      `GOOD-1,LOGIUS,${routeA},2025-03-01,2025-03-31,EUR,DIGID_LOGIN,4,150,150,`,
      `BAD-1,LOGIUS,${routeA},2025-03-01,2025-03-31,USD,DIGID_LOGIN,4,150,150,`,
      `BAD-2,LOGIUS,${routeA},2025-03-01,2025-03-31,EUR,DIGID_LOGIN,4,12.5,150,`,
      `BAD-3,LOGIUS,${routeA},2025-03-31,2025-03-01,EUR,DATA_SHARING,2,125,999,`,
      `BAD-4,LOGIUS,${routeA},2025-03-01,2025-03-31,EUR,DATA_SHARING,2,125,125,NOPE-9`,
    ].join('\n');
    const res = await t.raw('POST', '/invoices', {
      headers: { authorization: `Bearer ${finance}`, 'content-type': 'text/csv' },
      body: csv,
    });
    expect(res.status).toBe(422);
    expect(res.type).toContain('application/problem+json');
    // Exactly the members the OpenAPI document declares for the 422 (strict: nothing undeclared either).
    const body = invoiceFileProblemMembers
      .extend({
        type: z.string(),
        title: z.string(),
        status: z.literal(422),
        code: z.literal('INVOICE_FILE_INVALID'),
      })
      .extend({ detail: z.string(), instance: z.string() })
      .strict()
      .parse(JSON.parse(res.body.toString()));
    expect(body.problemsTotal).toBe(body.problems.length);
    const found = body.problems.map((p) => `${p.line}:${p.field}`);
    expect(found).toEqual(
      expect.arrayContaining([
        '3:currency',
        '4:amountCents',
        '5:periodEnd',
        '5:totalCents',
        '6:creditsInvoiceNumber',
      ]),
    );
    expect(found).not.toContain('2:currency');
    expect(await t.count('invoices')).toBe(0);
  });

  it('route A: a matching invoice reconciles, closes and is charged wholly to the corporation itself', async () => {
    await t.usage([
      ...times(4, (i) => usageOf(routeA, 'DIGID_LOGIN', `2025-03-0${i + 1}T09:00:00Z`)),
      ...times(2, (i) => usageOf(routeA, 'DATA_SHARING', `2025-03-0${i + 1}T09:30:00Z`, routeA)),
    ]);
    await t.waitForRows('usage_records', 6, `organisation_id = '${routeA}'`);
    const imported = await t.call(
      'POST',
      '/invoices',
      finance,
      invoice('A-2025-03', routeA, [
        ['DIGID_LOGIN', 4, 150],
        ['DATA_SHARING', 2, 125],
      ]),
    );
    expect(imported.status).toBe(201);
    const dry = await t.call('POST', '/reconciliations/dry-run', finance, {
      payerOrganisationId: routeA,
      ...MARCH,
    });
    expect(dry.json).toMatchObject({ status: 'MATCHED', route: 'A', dryRun: true, discrepancies: [] });
    expect(await t.count('reconciliations')).toBe(0);
    const closed = await t.call('POST', '/reconciliations/close', finance, {
      payerOrganisationId: routeA,
      ...MARCH,
    });
    expect(closed.status).toBe(201);
    const [event] = await t.eventsMatching(
      (e) => e.type.endsWith('MemberSettlementCalculated') && e.value.payerOrganisationId === routeA,
      1,
    );
    expect(event?.value).toMatchObject({
      memberOrganisationId: routeA,
      amountCents: 275,
      allocationKey: 'OWN_INVOICE',
      invoiceNumber: 'A-2025-03',
      resultVersion: 1,
      currency: 'EUR',
    });
  });

  let routeBv2 = '';

  it('route B: classifies each difference, splits by housing stock to the cent, then late usage, re-open and a new version (v1 kept)', async () => {
    // counted: 10 logins (shared), 6 sharings (2 let by m1, 4 shared)
    const inv = invoice('B-2025-03', allocator, [
      ['DIGID_LOGIN', 11, 412],
      ['DATA_SHARING', 5, 400],
    ]);
    expect((await t.call('POST', '/invoices', finance, inv)).status).toBe(201);
    const closed = await t.call('POST', '/reconciliations/close', finance, {
      payerOrganisationId: allocator,
      ...MARCH,
    });
    expect(closed.status).toBe(201);
    const v1 = closed.json as {
      reconciliationId: string;
      version: number;
      result: {
        discrepancies: { unit: string; class: string; count: number; amountCents: number }[];
        split: { parts: { memberId: string; amountCents: number }[] };
      };
    };
    expect(v1.version).toBe(1);
    expect(v1.result.discrepancies.map((d) => [d.unit, d.class, d.count, d.amountCents])).toEqual([
      ['DIGID_LOGIN', 'USAGE_MISSING_ON_OUR_SIDE', 1, 38],
      ['DIGID_LOGIN', 'ROUNDING', 0, -1],
      ['DATA_SHARING', 'USAGE_MISSING_ON_INVOICE', 1, 63],
      ['DATA_SHARING', 'TARIFF_MISMATCH', 0, 87],
    ]);
    const parts = v1.result.split.parts;
    expect(parts.reduce((a, p) => a + p.amountCents, 0)).toBe(812);
    // logins 412 by stock 3:1 → 309/103; sharings 400/6 per unit: m1 lets 2 (133.33) + 4 shared 3:1 (200/66.67);
    // the one cent left goes to the largest remainder (m2's shared 169.67)
    expect(Object.fromEntries(parts.map((p) => [p.memberId, p.amountCents]))).toEqual({
      [m1]: 642,
      [m2]: 170,
    });
    const events = await t.eventsMatching(
      (e) => e.type.endsWith('MemberSettlementCalculated') && e.value.payerOrganisationId === allocator,
      2,
    );
    expect(events.reduce((a, e) => a + Number(e.value.amountCents), 0)).toBe(812);
    expect(
      (await t.call('POST', '/reconciliations/close', finance, { payerOrganisationId: allocator, ...MARCH }))
        .status,
    ).toBe(409);

    // Usage for the closed period: kept and flagged late.
    // In the same batch: 31 March 22:30 UTC is 1 April 00:30 in Amsterdam, outside the closed period (its UTC
    // day is inside, so the ledger's per-chunk pre-check cannot short-cut it: the per-row check decides).
    const late = usageOf(allocator, 'DATA_SHARING', '2025-03-20T10:00:00Z');
    const april = usageOf(allocator, 'DIGID_LOGIN', '2025-03-31T22:30:00Z');
    await t.usage([late, april]);
    expect(await t.waitForRows('usage_records', 1, `usage_id = '${late.usageId}' AND late`)).toBe(1);
    expect(await t.waitForRows('usage_records', 1, `usage_id = '${april.usageId}'`)).toBe(1);
    expect(await t.query(`SELECT late FROM usage_records WHERE usage_id = '${april.usageId}'`)).toEqual([
      { late: false },
    ]);

    const reopened = await t.call('POST', '/reconciliations/reopen', finance, {
      payerOrganisationId: allocator,
      ...MARCH,
      reason: 'late usage arrived',
    });
    expect(reopened.status).toBe(200);
    const again = await t.call('POST', '/reconciliations/close', finance, {
      payerOrganisationId: allocator,
      ...MARCH,
    });
    expect(again.status).toBe(201);
    const v2 = again.json as typeof v1;
    routeBv2 = v2.reconciliationId;
    expect(v2.version).toBe(2);
    expect(
      v2.result.discrepancies.filter((d) => d.unit === 'DATA_SHARING').map((d) => [d.class, d.count]),
    ).toEqual([
      ['LATE_USAGE', 1],
      ['USAGE_MISSING_ON_INVOICE', 1],
      ['TARIFF_MISMATCH', 0],
    ]);
    const versions = await t.call(
      'GET',
      `/reconciliations?payerOrganisationId=${allocator}&periodStart=2025-03-01&periodEnd=2025-03-31`,
      finance,
    );
    const list = versions.json as unknown as {
      version: number;
      reopenReason: string | null;
      result: unknown;
    }[];
    expect(list.map((v) => v.version)).toEqual([1, 2]);
    expect(list[0]?.reopenReason).toBe('late usage arrived');
    expect(list[0]?.result).toEqual(v1.result);
    const discrepancies = await t.call(
      'GET',
      `/reconciliations/${routeBv2}/discrepancies?format=json`,
      finance,
    );
    expect((discrepancies.json.lateUsage as { usageId: string }[]).map((l) => l.usageId)).toEqual([
      late.usageId,
    ]);
    const settlementVersions = await t.eventsMatching(
      (e) =>
        e.type.endsWith('MemberSettlementCalculated') &&
        e.value.payerOrganisationId === allocator &&
        e.value.resultVersion === 2,
      2,
    );
    expect(settlementVersions.reduce((a, e) => a + Number(e.value.amountCents), 0)).toBe(812);
  });

  it('renders the coordinator overview and statements as PDF whose totals equal the CSV', async () => {
    const coordinator = t.token(allocator, ['coordinator']);
    const csv = await t.call('GET', `/reconciliations/${routeBv2}/statements`, coordinator);
    expect(csv.status).toBe(200);
    const totalLine = csv.text.trim().split('\n').pop()!.split(',');
    expect(totalLine[0]).toBe('TOTAL');
    const totalEur = totalLine[6];
    expect(totalEur).toBe('8.12');
    const overview = await t.raw('GET', `/reconciliations/${routeBv2}/overview`, {
      headers: { authorization: `Bearer ${coordinator}` },
    });
    expect(overview.type).toContain('application/pdf');
    const text = pdfText(overview.body);
    expect(text).toContain(`Invoice total: EUR ${totalEur}`);
    expect(text).toContain(`Sum of members: EUR ${totalEur}`);
    expect(text).toContain('TARIFF_MISMATCH');
    for (const row of csv.text.trim().split('\n').slice(1, -1))
      expect(text).toContain(`EUR ${row.split(',')[6]}`);

    const member = t.token(m1, ['member']);
    const mine = await t.call('GET', `/reconciliations/${routeBv2}/statements/${m1}?format=csv`, member);
    expect(mine.status).toBe(200);
    const amountEur = mine.text
      .split('\n')
      .find((l) => l.startsWith('amountEur,'))!
      .split(',')[1];
    const pdf = await t.raw('GET', `/reconciliations/${routeBv2}/statements/${m1}?format=pdf`, {
      headers: { authorization: `Bearer ${member}` },
    });
    expect(pdfText(pdf.body)).toContain(`Amount due: EUR ${amountEur}`);
    const m1Row = csv.text
      .split('\n')
      .find((l) => l.startsWith(m1))!
      .split(',');
    expect(amountEur).toBe(m1Row[6]);
  });

  it('enforces who sees what, and logs every export', async () => {
    const m2Token = t.token(m2, ['member']);
    expect(
      (await t.call('GET', `/reconciliations/${routeBv2}/statements/${m2}?format=csv`, m2Token)).status,
    ).toBe(200);
    expect(
      (await t.call('GET', `/reconciliations/${routeBv2}/statements/${m1}?format=csv`, m2Token)).status,
    ).toBe(404);
    expect((await t.call('GET', `/reconciliations/${routeBv2}/overview`, m2Token)).status).toBe(403);
    expect(
      (await t.call('GET', `/reconciliations/${routeBv2}/overview`, t.token(pip, ['coordinator']))).status,
    ).toBe(404);
    expect(
      (
        await t.call('POST', '/reconciliations/close', t.token(allocator, ['coordinator']), {
          payerOrganisationId: allocator,
          ...MARCH,
        })
      ).status,
    ).toBe(403);
    // An organisation's auditor sees its own organisation's entries; the platform operator every entry.
    type Page = { entries: { action: string; subjectOrganisationId: string }[] };
    const own = await t.call('GET', '/access-log?limit=500', t.token(m2, ['auditor']));
    expect(new Set((own.json as unknown as Page).entries.map((l) => l.subjectOrganisationId))).toEqual(
      new Set([m2]),
    );
    const log = await t.call('GET', '/access-log?kind=ACCESS&limit=500', t.platformOperator());
    const actions = (log.json as unknown as Page).entries.map(
      (l) => `${l.action}:${l.subjectOrganisationId}`,
    );
    expect(actions).toEqual(
      expect.arrayContaining([
        `STATEMENT_PDF_EXPORTED:${m1}`,
        `OVERVIEW_PDF_EXPORTED:${allocator}`,
        `STATEMENT_CSV_EXPORTED:${m2}`,
      ]),
    );
  });

  it('route C: the PIP pays; credit invoices correct the original; re-import answers the same; equal key set by the coordinator', async () => {
    const coordinator = t.token(pip, ['coordinator']);
    const keyRes = await t.call('PUT', `/allocation-keys/${pip}`, coordinator, {
      effectiveFrom: '2025-01-01',
      basis: 'EQUAL',
    });
    expect(keyRes.status).toBe(200);
    expect(
      (
        await t.call('PUT', `/allocation-keys/${allocator}`, coordinator, {
          effectiveFrom: '2025-01-01',
          basis: 'EQUAL',
        })
      ).status,
    ).toBe(403);
    await t.usage([
      ...times(4, (i) => usageOf(collaboration, 'DIGID_LOGIN', `2025-03-0${i + 1}T12:00:00Z`)),
      ...times(2, (i) => usageOf(collaboration, 'DATA_SHARING', `2025-03-0${i + 1}T12:30:00Z`, m3)),
    ]);
    await t.waitForRows('usage_records', 6, `organisation_id = '${collaboration}'`);
    const original = invoice('C-2025-03', pip, [
      ['DIGID_LOGIN', 4, 150],
      ['DATA_SHARING', 2, 125],
    ]);
    const first = await t.call('POST', '/invoices', finance, original);
    const second = await t.call('POST', '/invoices', finance, original);
    expect(second.status).toBe(first.status);
    expect(second.json).toEqual(first.json);
    expect(await t.count('invoices')).toBe(3);
    const credit = await t.call(
      'POST',
      '/invoices',
      finance,
      invoice('C-2025-03-CR', pip, [['DATA_SHARING', 1, 63]], 'C-2025-03'),
    );
    expect(credit.status).toBe(201);
    expect((credit.json.invoices as { credit: boolean }[])[0]?.credit).toBe(true);
    const tooMuch = await t.call(
      'POST',
      '/invoices',
      finance,
      invoice('C-2025-03-CR2', pip, [['DATA_SHARING', 2, 125]], 'C-2025-03'),
    );
    expect(tooMuch.status).toBe(422);

    const closed = await t.call('POST', '/reconciliations/close', finance, {
      payerOrganisationId: pip,
      ...MARCH,
    });
    expect(closed.status).toBe(201);
    const result = closed.json.result as {
      route: string;
      invoicedTotalCents: number;
      split: { basis: string; parts: { memberId: string; amountCents: number; attributableCents: number }[] };
      discrepancies: { class: string }[];
    };
    expect(result.route).toBe('C');
    expect(result.invoicedTotalCents).toBe(212);
    expect(result.split.basis).toBe('EQUAL');
    expect(Object.fromEntries(result.split.parts.map((p) => [p.memberId, p.amountCents]))).toEqual({
      [pip]: 75,
      [m3]: 137,
    });
    expect(result.discrepancies.map((d) => d.class)).toEqual(['USAGE_MISSING_ON_INVOICE', 'ROUNDING']);
  });

  it('erases ledger rows on command but keeps the per-day counts billing needs, and acknowledges', async () => {
    const erasureId = randomUUID();
    await t.publish(ErasureRequestedEvent, [
      {
        key: erasureId,
        value: {
          erasureId,
          targetService: 'BILLING_RECONCILIATION',
          category: 'USAGE_LEDGER',
          reason: 'RETENTION_PERIOD_ENDED',
          policyId: 'default/USAGE_LEDGER',
          organisationId: routeA,
          registrationId: null,
          subjectId: null,
          allocationId: null,
          recordedBefore: Date.now() + 60_000,
          requestedAt: Date.now(),
        },
      },
    ]);
    const [ack] = await t.eventsMatching(
      (e) => e.type.endsWith('BillingErasureCompleted') && e.value.erasureId === erasureId,
      1,
    );
    expect(ack?.value).toMatchObject({ category: 'USAGE_LEDGER', erasedCount: 6 });
    expect(await t.count(`usage_records WHERE organisation_id = '${routeA}'`)).toBe(0);
    const dry = await t.call('POST', '/reconciliations/dry-run', finance, {
      payerOrganisationId: routeA,
      ...MARCH,
    });
    expect((dry.json.units as { unit: string; counted: number }[]).map((u) => [u.unit, u.counted])).toEqual([
      ['DIGID_LOGIN', 4],
      ['DATA_SHARING', 2],
    ]);

    const misrouted = randomUUID();
    await t.publish(ErasureRequestedEvent, [
      {
        key: misrouted,
        value: {
          erasureId: misrouted,
          targetService: 'BILLING_RECONCILIATION',
          category: 'HASHED_BSN',
          reason: 'RETENTION_PERIOD_ENDED',
          policyId: 'default/HASHED_BSN',
          organisationId: null,
          registrationId: null,
          subjectId: null,
          allocationId: null,
          recordedBefore: null,
          requestedAt: Date.now(),
        },
      },
    ]);
    const dead = await t.eventsMatching(
      (e) => e.topic === 'dlqBillingReconciliation' && e.value.erasureId === misrouted,
      1,
    );
    expect(dead).toHaveLength(1);
  });
});
