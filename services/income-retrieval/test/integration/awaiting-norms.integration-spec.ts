import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createKafka, readDeadLetters } from '@divit/messaging';
import { JsonNestLogger } from '@divit/observability';
import { configureHttpApp, HTTP_APP_OPTIONS, HTTP_APP_SETTINGS, HttpAppSettings } from '@divit/service-kit';
import { AppModule } from '../../src/app.module';
import { HouseholdsService } from '../../src/households/households.service';
import { DEFAULT_NORMS_DIR } from '../../src/norms/norms';
import { NormsService } from '../../src/norms/norms.service';
import {
  grant,
  household,
  Household,
  IncomeTestApp,
  ORG,
  publishAllocation,
  share,
  eventually,
} from './support';

/** A norm set for a year the shipped files do not have, as the platform operator would publish it. */
function normsFor(year: number, patch: Record<string, unknown> = {}): Record<string, unknown> {
  const base = JSON.parse(readFileSync(join(DEFAULT_NORMS_DIR, '2026.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  return {
    ...base,
    $comment: `Income norms for leases starting in ${year} (test).`,
    version: `${year}-01-01`,
    leaseYear: year,
    validFrom: `${year}-01-01`,
    indexationFactors: { [String(year - 1)]: '1.020000', [String(year - 2)]: '1.050000' },
    ...patch,
  };
}

/**
 * Issue 13, item 6: a lease start in a year whose income norms are not published yet (2027, while the government
 * publishes next year's limits late in the year) was dead-lettered NORMS_MISSING and never decided. Now the
 * household runs the procedure, waits visibly ("awaiting norms for 2027") once everyone has shared, and is decided
 * once, automatically, when the platform operator publishes the year's norms (ADR 0017).
 */
describe('income-retrieval: an allocation for a lease year without norms awaits them (issue 13 item 6)', () => {
  // The periodic resolver is off here: a decision can only come from the normal path or from a publication.
  const t = new IncomeTestApp({ NORMS_RESOLVE_INTERVAL_MS: '0' });
  let allocator: string;
  let operator: string;

  beforeAll(async () => {
    await t.start();
    allocator = t.token(ORG, ['allocation-system']);
    operator = t.platformOperator();
  });
  afterAll(() => t.stop());

  const status = (id: string) => t.call('GET', `/allocations/${id}`, allocator);
  const metric = async (year: number): Promise<number | undefined> => {
    const text = (await t.call('GET', '/metrics', null)).text;
    const m = new RegExp(
      `^divit_income_allocations_awaiting_norms\\{[^}]*lease_year="${year}"[^}]*\\} (\\d+)$`,
      'm',
    ).exec(text);
    return m ? Number(m[1]) : undefined;
  };
  async function completeHousehold(h: Household, taxYear: number): Promise<void> {
    for (const m of [h.homeSeeker, ...h.coResidents]) await grant(t, h, m);
    await share(t, h, h.homeSeeker, 2_000_000, taxYear);
    for (const m of h.coResidents) await share(t, h, m, 1_000_000, taxYear);
  }

  it('holds a complete household for 2027 without a decision or a dead letter, decides it once when the 2027 norms are published, and decides a later 2027 allocation normally', async () => {
    // A control the consumer does dead-letter: a lease start no norms can ever exist for.
    const never = household({ leaseStartDate: '2019-03-01' });
    const neverEventId = await publishAllocation(t, never);

    const h = household({ leaseStartDate: '2027-03-01', adults: 1 });
    const eventId = await publishAllocation(t, h);
    await completeHousehold(h, 2026); // t-1 for a 2027 lease

    const waiting = await eventually(() => status(h.allocation.allocationId), {
      description: '() => status(h.allocation.allocationId)',
      until: (r) => r.status === 200 && r.json.awaitingNorms !== null,
    });
    expect(waiting.json).toMatchObject({ awaitingNorms: { leaseYear: 2027 }, decision: null });
    expect((waiting.json.members as { status: string }[]).map((m) => m.status)).toEqual(['SHARED', 'SHARED']);
    expect(await t.processed(eventId)).toBe(true);
    // The shared income is kept for the test (not used, not erased).
    expect(
      await t.query(`SELECT used FROM shared_incomes WHERE allocation_id = $1`, [h.allocation.allocationId]),
    ).toEqual([{ used: false }, { used: false }]);

    const kafka = createKafka({ brokers: t.config.KAFKA_BROKERS, clientId: `${t.prefix}dlq-norms` });
    const letters = await eventually(() => readDeadLetters(kafka, t.topics.name('dlqIncomeRetrieval')), {
      description: "() => readDeadLetters(kafka, t.topics.name('dlqIncomeRetrieval'))",
      until: (l) => l.some((x) => x.eventId === neverEventId),
    });
    expect(letters.find((l) => l.eventId === neverEventId)).toMatchObject({
      errorCode: 'ALLOCATION_INVALID',
    });
    expect(letters.find((l) => l.eventId === neverEventId)?.reason).toMatch(
      /leaseStartDate: 2019-03-01 lies before 2024-01-01/,
    );
    expect(letters.some((l) => l.eventId === eventId)).toBe(false);
    expect(t.decisionsFor(h.allocation.allocationId)).toHaveLength(0);
    expect(await metric(2027)).toBe(1);

    // Only the platform operator publishes norms (they apply to every organisation); nothing is written otherwise.
    const body = normsFor(2027);
    for (const token of [t.token(ORG, ['admin']), allocator])
      expect(await t.call('PUT', '/norms/2027', token, body)).toMatchObject({
        status: 403,
        json: { code: 'FORBIDDEN_ROLE' },
      });
    expect(await t.call('PUT', '/norms/2028', operator, body)).toMatchObject({
      status: 400,
      json: { code: 'NORMS_YEAR_MISMATCH' },
    });
    expect(
      await t.call('PUT', '/norms/2027', operator, normsFor(2027, { validFrom: '2027-02-01' })),
    ).toMatchObject({ status: 400, json: { code: 'NORMS_YEAR_MISMATCH' } });
    for (const year of ['9999', '2023', '27', 'abcd'])
      expect((await t.call('PUT', `/norms/${year}`, operator, body)).status).toBe(400);
    expect(await t.count('income_norms')).toBe(0);
    expect(t.decisionsFor(h.allocation.allocationId)).toHaveLength(0);

    const published = await t.call('PUT', '/norms/2027', operator, body);
    expect(published).toMatchObject({
      status: 200,
      json: {
        leaseYear: 2027,
        version: '2027-01-01',
        source: 'OPERATOR',
        created: true,
        awaitingAllocations: 1,
      },
    });

    const d = await t.decisionFor(h.allocation.allocationId);
    // 2026 income × 1.02: 20,400.00 + 10,200.00 = 30,600.00 ≤ the multi-person DAEB limit (56,910).
    expect(d).toMatchObject({
      outcome: 'ELIGIBLE',
      normVersion: '2027-01-01',
      incomeYear: 2026,
      householdSize: 2,
    });
    const decided = await status(h.allocation.allocationId);
    expect(decided.json).toMatchObject({ awaitingNorms: null, decision: { normVersion: '2027-01-01' } });
    expect(await metric(2027)).toBe(0);

    // Publishing the same set again changes nothing and runs the resolver again: still exactly one decision.
    expect(await t.call('PUT', '/norms/2027', operator, body)).toMatchObject({
      status: 200,
      json: { created: false, awaitingAllocations: 0 },
    });
    // Other norms for a year that has some (published, or shipped as a file) are refused: decisions carry them.
    expect(
      await t.call('PUT', '/norms/2027', operator, normsFor(2027, { rentCapCents: { low: 1, high: 2 } })),
    ).toMatchObject({ status: 409, json: { code: 'NORMS_ALREADY_PUBLISHED' } });
    expect(await t.call('PUT', '/norms/2026', operator, normsFor(2026))).toMatchObject({
      status: 409,
      json: { code: 'NORMS_ALREADY_PUBLISHED' },
    });
    expect(
      await t.call('PUT', '/norms/2028', operator, normsFor(2028, { version: '2027-01-01' })),
    ).toMatchObject({
      status: 409,
      json: { code: 'NORMS_VERSION_TAKEN' },
    });

    // Norms are visible to tenants and the operator, with their source.
    const listed = await t.call('GET', '/norms', operator);
    expect(
      (listed.json as unknown as { leaseYear: number; source: string }[]).map((n) => [n.leaseYear, n.source]),
    ).toEqual([
      [2024, 'FILE'],
      [2025, 'FILE'],
      [2026, 'FILE'],
      [2027, 'OPERATOR'],
    ]);

    // A 2027 allocation arriving after the norms is decided on the normal path (the periodic resolver is off).
    const later = household({ leaseStartDate: '2027-06-01' });
    await publishAllocation(t, later);
    await completeHousehold(later, 2026);
    expect(await t.decisionFor(later.allocation.allocationId)).toMatchObject({
      outcome: 'ELIGIBLE',
      normVersion: '2027-01-01',
    });

    // A late copy of income for the decided household is erased, and no second decision follows.
    const lateId = await share(t, h, h.homeSeeker, 2_100_000, 2026);
    expect(await t.processed(lateId)).toBe(true);
    expect(t.decisionsFor(h.allocation.allocationId)).toHaveLength(1);
    expect(t.decisionsFor(later.allocation.allocationId)).toHaveLength(1);
  });

  it('two replicas, norms published while households are still being processed: every allocation decided exactly once', async () => {
    // A second replica of the service on the same database and topics (same consumer group), its norms resolver on
    // a 100 ms timer, so the periodic resolver, the resolver started by the publication and the consumers race.
    const config = { ...t.config, NORMS_RESOLVE_INTERVAL_MS: 100 };
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] }).compile();
    const replica: INestApplication = moduleRef.createNestApplication({
      logger: new JsonNestLogger(),
      ...HTTP_APP_OPTIONS,
    });
    configureHttpApp(replica, replica.get<HttpAppSettings>(HTTP_APP_SETTINGS, { strict: false }));
    await replica.listen(0, '127.0.0.1');
    try {
      const households = Array.from({ length: 24 }, (_, i) =>
        household({ leaseStartDate: `2028-0${(i % 9) + 1}-01`, adults: i % 2 }),
      );
      // Half complete before the publication, half after: the second half reaches the test while the norms are
      // being published and resolved.
      for (const h of households) await publishAllocation(t, h);
      const first = households.slice(0, 12);
      const second = households.slice(12);
      for (const h of first) await completeHousehold(h, 2027);
      await eventually(() => t.query(`SELECT 1 FROM allocations WHERE awaiting_norms_year = 2028`), {
        description: '() => t.query(`SELECT 1 FROM allocations WHERE awaiting_norms_year = 2028`)',
        until: (rows) => rows.length >= 4,
      });
      expect(await metric(2028)).toBeGreaterThanOrEqual(4);
      const publishing = fetch(`${await replica.getUrl()}/norms/2028`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' },
        body: JSON.stringify(normsFor(2028)),
      });
      for (const h of second) await completeHousehold(h, 2027);
      expect((await publishing).status).toBe(200);

      const ids = households.map((h) => h.allocation.allocationId);
      await t.eventsMatching(
        (e) =>
          e.type === 'nl.divit.incomeretrieval.IncomeDecisionMade' &&
          ids.includes(e.value.allocationId as string),
        ids.length,
        60_000,
      );
      // Let both resolvers run a few more times, and redeliver income for every household (evaluations after
      // the decision), then count again.
      const runs = async () =>
        Number(
          (
            await t.query<{ runs: string }>(
              `SELECT runs FROM periodic_task_runs WHERE name = 'income-retrieval.norms-resolver'`,
            )
          )[0]?.runs ?? 0,
        );
      const before = await runs();
      for (const h of households) await share(t, h, h.homeSeeker, 1_500_000, 2027);
      expect(
        await eventually(runs, { description: 'runs', until: (n) => n >= before + 3 }),
      ).toBeGreaterThanOrEqual(before + 3);
      await eventually(
        () =>
          t.query(`SELECT 1 FROM shared_incomes WHERE NOT used AND allocation_id = ANY($1::uuid[])`, [ids]),
        {
          description:
            '() => t.query(`SELECT 1 FROM shared_incomes WHERE NOT used AND allocation_id = ANY($1::...',
          until: (rows) => rows.length === 0,
        },
      );
      for (const id of ids) {
        const decisions = t.decisionsFor(id);
        expect(decisions).toHaveLength(1);
        expect(decisions[0]?.value).toMatchObject({ normVersion: '2028-01-01' });
      }
      expect(await t.query(`SELECT 1 FROM allocations WHERE awaiting_norms_year IS NOT NULL`)).toEqual([]);
      expect(await metric(2028)).toBe(0);
    } finally {
      await replica.close();
    }
  }, 180_000);

  it('a publication waits for an evaluation that has just found the year without norms, then decides that allocation too', async () => {
    // The gap this closes: an evaluation (a consumer chunk) finds no 2029 norms and, before it commits, the norms
    // are published and the resolver started by the publication scans for awaiting allocations; without the year
    // lock the scan misses the not-yet-committed allocation, and with the periodic resolver off it would stay.
    const h = household({ leaseStartDate: '2029-03-01', occurredAt: Date.parse('2027-06-01T09:00:00Z') });
    await publishAllocation(t, h);
    await completeHousehold(h, 2028);
    const id = h.allocation.allocationId;
    await eventually(
      () =>
        t.query(`SELECT 1 FROM allocations WHERE allocation_id = $1 AND awaiting_norms_year = 2029`, [id]),
      {
        description:
          '() => t.query(`SELECT 1 FROM allocations WHERE allocation_id = $1 AND awaiting_norms_ye...',
        until: (rows) => rows.length === 1,
      },
    );
    // Back to the moment before the evaluation recorded "awaiting": the in-flight transaction below records it.
    await t.query(
      `UPDATE allocations SET awaiting_norms_year = NULL, awaiting_norms_since = NULL WHERE allocation_id = $1`,
      [id],
    );
    const households = t.app.get(HouseholdsService);
    let evaluated!: () => void;
    const evaluatedNow = new Promise<void>((resolve) => (evaluated = resolve));
    let finish!: () => void;
    const finishNow = new Promise<void>((resolve) => (finish = resolve));
    const inFlight = t.db.dataSource.transaction(async (em) => {
      // The service's own evaluation (as a consumer chunk runs it): no 2029 norms, so it marks the allocation.
      expect(await households.resolveAwaitingNorms(em, id)).toBe(false);
      evaluated();
      await finishNow;
    });
    await evaluatedNow;

    let answered = false;
    const publishing = t.call('PUT', '/norms/2029', operator, normsFor(2029)).then((r) => {
      answered = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(answered).toBe(false); // the publication waits for the evaluation that saw no norms
    finish();
    await inFlight;
    expect(await publishing).toMatchObject({ status: 200, json: { created: true, awaitingAllocations: 1 } });
    expect(await t.decisionFor(id)).toMatchObject({ normVersion: '2029-01-01', incomeYear: 2028 });
    expect(t.decisionsFor(id)).toHaveLength(1);
    // A lookup after the publication sees the year at once (every replica reads published norms from the database).
    expect((await t.app.get(NormsService).catalogue()).years()).toContain(2029);
  });
});
