import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { ErasureRequestedEvent } from '@divit/contracts';
import { accessLogEntriesSchema, accessLogPageSchema } from '@divit/access-log';
import {
  allocationStatusViewSchema,
  expirySweepViewSchema,
  pensionAgeViewSchema,
} from '../../src/households/households.schemas';
import { DEFAULT_NORMS_DIR } from '../../src/norms/norms';
import { normSetsInForceSchema, publishedNormsSchema } from '../../src/norms/norms.schemas';
import { incomeStatementSchema } from '../../src/statements/statements.schemas';
import {
  eventually,
  fail,
  grant,
  household,
  Household,
  HttpResult,
  IncomeTestApp,
  ORG,
  publishAllocation,
  share,
} from './support';

/**
 * The response schemas (the source of the OpenAPI document's response schemas, issue 14) parse the real responses
 * of every JSON operation, in the states that change their shape: an allocation before and after its decision, the
 * statement of a completed test, of an alternative route, of an exempt household and after a USED_INCOME erasure.
 * The schemas are strict, so a field the code adds (say, one that should not leave the service) fails too.
 */
describe('income-retrieval: real responses match the response schemas (real PostgreSQL, Kafka, registry)', () => {
  const t = new IncomeTestApp();
  let auditor = '';
  let allocator = '';
  let operator = '';

  beforeAll(async () => {
    await t.start();
    auditor = t.token(ORG, ['auditor'], 'accountant-schema');
    allocator = t.token(ORG, ['allocation-system']);
    operator = t.platformOperator();
  });
  afterAll(() => t.stop());

  /** The body parsed with the schema; the issues (path and message) are the failure message. */
  function expectShape<S extends z.ZodType>(schema: S, res: HttpResult, status = 200): z.infer<S> {
    expect({ status: res.status, type: res.type }).toEqual({
      status,
      type: expect.stringContaining('application/json') as unknown,
    });
    const parsed = schema.safeParse(JSON.parse(res.text));
    expect(parsed.error?.issues ?? []).toEqual([]);
    return parsed.data as z.infer<S>;
  }

  const statusOf = (h: Household) => t.call('GET', `/allocations/${h.allocation.allocationId}`, allocator);
  const statementOf = (h: Household) => t.call('GET', `/statements/${h.allocation.allocationId}`, auditor);
  const requestsIn = (h: Household, status: string, n: number) =>
    eventually(() => t.call('GET', `/allocations/${h.allocation.allocationId}`, allocator), {
      description: `${n} member request(s) of ${h.allocation.allocationId} in ${status}`,
      until: (res) =>
        res.status === 200 &&
        (res.json.members as { status: string }[]).filter((m) => m.status === status).length === n,
    });

  it('a completed test: the allocation before and after the decision, pension age, statement, PDF, access log; then erased', async () => {
    const h = household({ adults: 1, children: 1, monthlyRentCents: 70_000 });
    const adults = [h.homeSeeker, ...h.coResidents];
    await publishAllocation(t, h);
    await requestsIn(h, 'WAITING_FOR_CONSENT', 2);
    const before = expectShape(allocationStatusViewSchema, await statusOf(h));
    expect(before).toMatchObject({ decision: null, awaitingNorms: null, pensionAge: null, householdSize: 3 });

    const stated = expectShape(
      pensionAgeViewSchema,
      await t.call('PUT', `/allocations/${h.allocation.allocationId}/pension-age`, allocator, {
        pensionAge: false,
      }),
    );
    expect(stated).toEqual({ allocationId: h.allocation.allocationId, pensionAge: false });

    for (const m of adults) await grant(t, h, m);
    await requestsIn(h, 'WAITING_FOR_SHARING', 2);
    await share(t, h, h.homeSeeker, 2_000_000);
    await share(t, h, h.coResidents[0] as string, 1_500_000);
    await t.decisionFor(h.allocation.allocationId);

    const after = expectShape(allocationStatusViewSchema, await statusOf(h));
    expect(after.decision?.outcome).toBe('ELIGIBLE');
    expect(after.members.map((m) => m.status)).toEqual(['SHARED', 'SHARED']);

    const statement = expectShape(incomeStatementSchema, await statementOf(h));
    expect(statement).toMatchObject({
      outcome: 'ELIGIBLE',
      containsIncome: true,
      pensionAgeSource: 'STATED',
    });
    expect(statement.members.every((m) => m.incomeCents !== undefined)).toBe(true);

    const pdf = await t.call('GET', `/statements/${h.allocation.allocationId}/pdf`, auditor);
    expect({ status: pdf.status, type: pdf.type }).toEqual({ status: 200, type: 'application/pdf' });
    expect(pdf.text.startsWith('%PDF-')).toBe(true);

    const log = expectShape(
      accessLogEntriesSchema,
      await t.call('GET', `/statements/${h.allocation.allocationId}/access-log`, auditor),
    );
    expect(log.map((e) => e.action)).toEqual(
      expect.arrayContaining(['ALLOCATION_STATUS_READ', 'STATEMENT_READ', 'STATEMENT_PDF_EXPORTED']),
    );

    // A USED_INCOME erasure thins the statement: the income figures go, when and by which erasure is added.
    const erasureId = randomUUID();
    await t.publish(ErasureRequestedEvent, [
      {
        key: erasureId,
        value: {
          erasureId,
          targetService: 'INCOME_RETRIEVAL',
          category: 'USED_INCOME',
          reason: 'RETENTION_PERIOD_ENDED',
          policyId: 'default/USED_INCOME',
          organisationId: null,
          registrationId: null,
          subjectId: null,
          allocationId: h.allocation.allocationId,
          recordedBefore: null,
          requestedAt: Date.now(),
        },
      },
    ]);
    await eventually(
      () =>
        t.query<{ contains_income: boolean }>(
          `SELECT contains_income FROM income_statements WHERE allocation_id = $1`,
          [h.allocation.allocationId],
        ),
      { description: 'the statement without income', until: (rows) => rows[0]?.contains_income === false },
    );
    const erased = expectShape(incomeStatementSchema, await statementOf(h));
    expect(erased).toMatchObject({ containsIncome: false, incomeErasedBy: erasureId });
    expect(erased.householdIncomeCents).toBeUndefined();
    expect(erased.members.every((m) => m.incomeCents === undefined && m.sharingId !== undefined)).toBe(true);
  });

  it('an alternative route and an exempt household: the allocation and the statement without a test', async () => {
    const failed = household();
    await publishAllocation(t, failed);
    await requestsIn(failed, 'WAITING_FOR_CONSENT', 1);
    await grant(t, failed, failed.homeSeeker);
    await fail(t, failed, failed.homeSeeker, 'U3_BSN_CHECK_FAILED');
    await t.decisionFor(failed.allocation.allocationId);
    const status = expectShape(allocationStatusViewSchema, await statusOf(failed));
    expect(status.decision).toMatchObject({
      outcome: 'ALTERNATIVE_ROUTE_REQUIRED',
      alternativeRouteReason: 'U3_BSN_CHECK_FAILED',
      failedMemberId: failed.homeSeeker,
      passendCategory: null,
    });
    expect(status.members[0]).toMatchObject({ status: 'FAILED', failure: 'U3_BSN_CHECK_FAILED' });
    const statement = expectShape(incomeStatementSchema, await statementOf(failed));
    expect(statement).toMatchObject({ outcome: 'ALTERNATIVE_ROUTE_REQUIRED', containsIncome: false });
    expect(statement.test).toBeUndefined();

    const exempt = household({ exemptionGroup: 'STATUS_HOLDER_FROM_COA' });
    await publishAllocation(t, exempt);
    await t.decisionFor(exempt.allocation.allocationId);
    expect(expectShape(allocationStatusViewSchema, await statusOf(exempt))).toMatchObject({
      exemptionGroup: 'STATUS_HOLDER_FROM_COA',
      members: [],
      decision: { outcome: 'EXEMPT' },
    });
    expect(expectShape(incomeStatementSchema, await statementOf(exempt))).toMatchObject({
      outcome: 'EXEMPT',
      members: [],
      retainUntil: null,
    });
  });

  it('norms: the sets in force (files and published), a publication and its repetition', async () => {
    const files = expectShape(normSetsInForceSchema, await t.call('GET', '/norms', allocator));
    expect(files.every((n) => n.source === 'FILE' && n.publishedAt === null)).toBe(true);
    const base = JSON.parse(readFileSync(join(DEFAULT_NORMS_DIR, '2026.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const body = {
      ...base,
      version: 'schema-2031',
      leaseYear: 2031,
      validFrom: '2031-01-01',
      indexationFactors: { '2030': '1.020000', '2029': '1.050000' },
    };
    const published = expectShape(publishedNormsSchema, await t.call('PUT', '/norms/2031', operator, body));
    expect(published).toEqual({
      leaseYear: 2031,
      version: 'schema-2031',
      source: 'OPERATOR',
      created: true,
      awaitingAllocations: 0,
    });
    const again = expectShape(publishedNormsSchema, await t.call('PUT', '/norms/2031', operator, body));
    expect(again.created).toBe(false);
    const all = expectShape(normSetsInForceSchema, await t.call('GET', '/norms', allocator));
    expect(all.find((n) => n.leaseYear === 2031)).toMatchObject({
      source: 'OPERATOR',
      version: 'schema-2031',
    });
  });

  it('the expiry sweep and the shared access log', async () => {
    const sweep = expectShape(expirySweepViewSchema, await t.call('POST', '/admin/expiry-sweeps', operator));
    expect(sweep.expiredRequests).toBeGreaterThanOrEqual(0);
    const page = expectShape(accessLogPageSchema, await t.call('GET', '/access-log?limit=2', operator));
    expect(page.entries).toHaveLength(2);
    expect(page.nextCursor).not.toBeNull();
  });
});
