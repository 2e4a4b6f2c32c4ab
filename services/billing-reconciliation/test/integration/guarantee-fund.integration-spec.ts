import { randomUUID } from 'node:crypto';
import { HousingStockRecordedEvent, MembershipStartedEvent } from '@divit/contracts';
import { BillingTestApp, pdfText } from './support';

type Json = Record<string, unknown>;
type Line = { partyId: string; amountCents: number; keyNumerator: number; keyDenominator: number };
type Call = { callId: string; kind: string; calledOn: string; lines: Line[] };
type Party = { partyId: string };
const sum = (xs: { amountCents: number }[]) => xs.reduce((a, x) => a + x.amountCents, 0);

/**
 * Issue 17: the Woonkans guarantee fund (agreement article 7, annex 3) on billing's split engine, against the real
 * Kafka, registry and PostgreSQL. One fund year of tenant 1 in order (contributions, a claim approved and paid that
 * triggers the top-up call, a refused claim, a joining party, a leaving party, termination with refunds to the
 * cent), tenant 2 with its own fund, and the roles: the chair decides, the cashier pays, others get 403; another
 * tenant's roles and a party of the fund do not reach what is not theirs.
 */
describe('billing-reconciliation: guarantee fund (issue 17) on the real stack', () => {
  const t = new BillingTestApp();
  let owner = ''; // tenant 1: the collaboration holding the fund (its region's housing stock counts)
  let corp1 = '';
  let corp2 = '';
  let corp3 = '';
  let owner2 = ''; // tenant 2
  let admin = '';
  let cashier = '';
  let chair = '';
  let fundId = '';
  let fund2 = '';
  const parties: Record<string, string> = {};
  let initial: Call;

  const stock = async (organisationId: string, memberId: string, dwellings: number, from: string) => {
    await t.publish(MembershipStartedEvent, [
      {
        key: organisationId,
        value: {
          organisationId,
          membershipId: randomUUID(),
          memberOrganisationId: memberId,
          validFrom: from,
          validTo: null,
          occurredAt: Date.parse(`${from}T08:00:00Z`),
        },
      },
    ]);
    await t.publish(HousingStockRecordedEvent, [
      {
        key: organisationId,
        value: {
          organisationId,
          memberOrganisationId: memberId,
          dwellings,
          effectiveFrom: from,
          occurredAt: Date.parse(`${from}T08:00:00Z`),
        },
      },
    ]);
  };
  const join = async (body: Json) => {
    const res = await t.call('POST', `/guarantee-funds/${fundId}/parties`, admin, body);
    expect(res.status).toBe(201);
    return (res.json as Party).partyId;
  };
  const claimForm = (partyId: string, change: Json = {}) => ({
    partyId,
    caseReference: 'WK-2026-0017',
    tenancyEnd: 'EVICTION',
    tenancyEndedOn: '2026-02-28',
    amountCents: 8_000_000,
    depositCents: 90_000,
    categories: [
      { category: 'RENT_LOSS', amountCents: 5_000_000 },
      { category: 'REPAIR_MUTATION', amountCents: 2_500_000 },
      { category: 'EVICTION_COSTS', amountCents: 500_000 },
    ],
    documents: ['DMS/2026/4411', 'opname-2026-02-28.pdf'],
    ...change,
  });
  const receiveAll = async (call: Call, on: string) => {
    for (const line of call.lines.filter((l) => l.amountCents > 0)) {
      const res = await t.call('POST', `/guarantee-funds/${fundId}/calls/${call.callId}/receipts`, cashier, {
        partyId: line.partyId,
        receivedOn: on,
      });
      expect(res.status).toBe(201);
    }
  };
  const ledger = async (on?: string) =>
    (await t.call('GET', `/guarantee-funds/${fundId}/ledger${on ? `?on=${on}` : ''}`, admin, undefined))
      .json as {
      balanceCents: number;
      entries: { kind: string; partyId: string | null; signedCents: number; balanceAfterCents: number }[];
    };

  beforeAll(async () => {
    await t.start();
    owner = await t.organisation('Woonkans Noord- en Midden-Limburg', 'COLLABORATION', 'C');
    corp1 = await t.organisation('Corporatie Venray', 'CORPORATION', 'A');
    corp2 = await t.organisation('Corporatie Horst', 'CORPORATION', 'A');
    corp3 = await t.organisation('Corporatie Peel', 'CORPORATION', 'A');
    owner2 = await t.organisation('Woonruimteverdeler Elders', 'HOUSING_ALLOCATOR', 'B');
    await stock(owner, corp1, 3000, '2024-01-01');
    await stock(owner, corp2, 1000, '2024-01-01');
    await stock(owner, corp3, 4000, '2026-07-01');
    await t.waitForRows('housing_stock', 3);
    admin = t.token(owner, ['admin'], 'fund-admin');
    cashier = t.token(owner, ['fund-cashier'], 'mgr-cashier');
    chair = t.token(owner, ['fund-chair'], 'woonkans-chair');
  });
  afterAll(() => t.stop());

  it("sets up the fund with the agreement's figures and calls every party's contribution, exact to the cent", async () => {
    const created = await t.call('POST', '/guarantee-funds', admin, {
      ownerOrganisationId: owner,
      name: 'Garantiefonds Woonkans',
      startsOn: '2026-01-01',
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      municipalitiesTotalCents: 5_000_000,
      corporationsTotalCents: 5_000_000,
      careProviderCents: 100_000,
      thresholdCents: 2_500_000,
      balanceCents: 0,
    });
    fundId = created.json.fundId as string;
    // Regional key (data) 3 : 2 : 2, so 5 000 000 / 7 has remainders the largest-remainder method must place.
    parties.venray = await join({
      kind: 'MUNICIPALITY',
      name: 'Gemeente Venray',
      regionalKey: 3,
      joinedOn: '2026-01-01',
    });
    parties.horst = await join({
      kind: 'MUNICIPALITY',
      name: 'Gemeente Horst aan de Maas',
      regionalKey: 2,
      joinedOn: '2026-01-01',
    });
    parties.peel = await join({
      kind: 'MUNICIPALITY',
      name: 'Gemeente Peel en Maas',
      regionalKey: 2,
      joinedOn: '2026-01-01',
    });
    parties.corp1 = await join({
      kind: 'CORPORATION',
      name: 'Corporatie Venray',
      organisationId: corp1,
      joinedOn: '2026-01-01',
    });
    parties.corp2 = await join({
      kind: 'CORPORATION',
      name: 'Corporatie Horst',
      organisationId: corp2,
      joinedOn: '2026-01-01',
    });
    parties.care1 = await join({ kind: 'CARE_PROVIDER', name: 'Zorgaanbieder Een', joinedOn: '2026-01-01' });
    parties.care2 = await join({ kind: 'CARE_PROVIDER', name: 'Zorgaanbieder Twee', joinedOn: '2026-01-01' });

    // A municipality without key, a corporation without organisation, the same organisation twice: refused.
    for (const [body, code] of [
      [
        { kind: 'MUNICIPALITY', name: 'Gemeente Zonder Sleutel', joinedOn: '2026-01-01' },
        'FUND_PARTY_INVALID',
      ],
      [{ kind: 'CORPORATION', name: 'Corporatie Zonder Id', joinedOn: '2026-01-01' }, 'FUND_PARTY_INVALID'],
      [
        { kind: 'CORPORATION', name: 'Corporatie Venray', organisationId: corp1, joinedOn: '2026-01-01' },
        'FUND_PARTY_EXISTS',
      ],
      [{ kind: 'CARE_PROVIDER', name: 'Te Vroeg', joinedOn: '2025-12-31' }, 'FUND_DATE_INVALID'],
    ] as const) {
      const res = await t.call('POST', `/guarantee-funds/${fundId}/parties`, admin, body);
      expect(res).toMatchObject({ json: { code } });
      expect(res.type).toContain('application/problem+json');
    }

    const call = await t.call('POST', `/guarantee-funds/${fundId}/calls`, cashier, {
      calledOn: '2026-01-05',
    });
    expect(call.status).toBe(201);
    initial = call.json as unknown as Call;
    expect(initial.kind).toBe('INITIAL');
    const amount = (id: string | undefined) => initial.lines.find((l) => l.partyId === id)?.amountCents;
    // 5 000 000 × 3/7 = 2 142 857.14, × 2/7 = 1 428 571.43 (twice): 2 142 857 + 1 428 572 + 1 428 571 (tie by id).
    const municipal = [amount(parties.venray), amount(parties.horst), amount(parties.peel)];
    expect(municipal[0]).toBe(2_142_857);
    expect([...municipal.slice(1)].sort()).toEqual([1_428_571, 1_428_572]);
    expect(amount(parties.corp1)).toBe(3_750_000); // 3000 of 4000 dwellings in the region
    expect(amount(parties.corp2)).toBe(1_250_000);
    expect(amount(parties.care1)).toBe(100_000);
    expect(amount(parties.care2)).toBe(100_000);
    expect(sum(initial.lines)).toBe(10_200_000);

    const events = await t.eventsMatching(
      (e) => e.type.endsWith('GuaranteeFundContributionCalled') && e.value.callId === initial.callId,
      7,
    );
    expect(events.map((e) => e.value.amountCents as number).reduce((a, b) => a + b, 0)).toBe(10_200_000);
    expect(events.every((e) => e.key === fundId && e.topic === 'billingReconciliationGuaranteeFunds')).toBe(
      true,
    );

    await receiveAll(initial, '2026-01-31');
    const twice = await t.call(
      'POST',
      `/guarantee-funds/${fundId}/calls/${initial.callId}/receipts`,
      cashier,
      {
        partyId: parties.corp1,
        receivedOn: '2026-02-01',
      },
    );
    expect(twice).toMatchObject({ status: 409, json: { code: 'FUND_CONTRIBUTION_RECEIVED' } });
    const l = await ledger();
    expect(l.balanceCents).toBe(10_200_000);
    expect(l.entries.filter((e) => e.kind === 'CONTRIBUTION')).toHaveLength(7);
    expect((await ledger('2026-01-30')).balanceCents).toBe(0);
    await t.eventsMatching(
      (e) => e.type.endsWith('GuaranteeFundEntryRecorded') && e.value.kind === 'CONTRIBUTION',
      7,
    );
    // Immutable: the database refuses changing or deleting an entry.
    await expect(t.query(`UPDATE guarantee_fund_entries SET amount_cents = 1`)).rejects.toThrow(
      /append-only/,
    );
    await expect(t.query(`DELETE FROM guarantee_fund_entries`)).rejects.toThrow(/append-only/);
  });

  it('a claim approved by the chair and paid by the cashier takes the balance below the threshold: the top-up call is made at once', async () => {
    // The claiming corporation's own finance submits for its own party.
    const corpFinance = t.token(corp1, ['finance'], 'venray-finance');
    const submitted = await t.call(
      'POST',
      `/guarantee-funds/${fundId}/claims`,
      corpFinance,
      claimForm(parties.corp1 ?? ''),
    );
    expect(submitted.status).toBe(201);
    expect(submitted.json).toMatchObject({ status: 'SUBMITTED', conditionFailures: [] });
    const claimId = submitted.json.claimId as string;
    const path = `/guarantee-funds/${fundId}/claims/${claimId}`;

    // Only the chair decides, only the cashier pays.
    for (const token of [cashier, admin, t.token(owner, ['finance']), corpFinance]) {
      const res = await t.call('POST', `${path}/decision`, token, {
        decision: 'APPROVE',
        reason: 'past the consultation',
      });
      expect(res).toMatchObject({ status: 403, json: { code: 'FORBIDDEN_ROLE' } });
    }
    const early = await t.call('POST', `${path}/payment`, cashier, { paidOn: '2026-03-10' });
    expect(early).toMatchObject({ status: 409, json: { code: 'CLAIM_STATE' } });
    const approved = await t.call('POST', `${path}/decision`, chair, {
      decision: 'APPROVE',
      reason: 'discussed at the Woonkans consultation of 2026-03-05',
    });
    expect(approved).toMatchObject({
      status: 200,
      json: { status: 'APPROVED', decidedBy: 'woonkans-chair' },
    });
    for (const token of [chair, admin]) {
      const res = await t.call('POST', `${path}/payment`, token, { paidOn: '2026-03-10' });
      expect(res).toMatchObject({ status: 403, json: { code: 'FORBIDDEN_ROLE' } });
    }
    const paid = await t.call('POST', `${path}/payment`, cashier, { paidOn: '2026-03-10' });
    expect(paid.status).toBe(200);
    expect(paid.json.balanceCents).toBe(2_200_000);
    const topUp = paid.json.topUpCall as Call;
    expect(topUp).toMatchObject({ kind: 'TOP_UP', calledOn: '2026-03-10', triggeredByClaimId: claimId });
    expect(sum(topUp.lines)).toBe(10_200_000);
    expect(topUp.lines.map((l) => [l.partyId, l.amountCents]).sort()).toEqual(
      initial.lines.map((l) => [l.partyId, l.amountCents]).sort(),
    );
    const steps = (paid.json.claim as { steps: { step: string; actor: string }[] }).steps;
    expect(steps.map((s) => [s.step, s.actor])).toEqual([
      ['SUBMITTED', 'venray-finance'],
      ['APPROVED', 'woonkans-chair'],
      ['PAID', 'mgr-cashier'],
    ]);
    const again = await t.call('POST', `${path}/payment`, cashier, { paidOn: '2026-03-11' });
    expect(again).toMatchObject({ status: 409, json: { code: 'CLAIM_STATE' } });
    await t.eventsMatching(
      (e) =>
        e.type.endsWith('GuaranteeFundEntryRecorded') &&
        e.value.kind === 'PAYOUT' &&
        e.value.balanceAfterCents === 2_200_000,
      1,
    );
    await t.eventsMatching(
      (e) => e.type.endsWith('GuaranteeFundContributionCalled') && e.value.callKind === 'TOP_UP',
      7,
    );
    const audit = await t.query<{ action: string }>(
      `SELECT action FROM access_log_entries WHERE resource_id = $1 ORDER BY id`,
      [`${fundId}/${claimId}`],
    );
    expect(audit.map((a) => a.action)).toEqual([
      'GUARANTEE_FUND_CLAIM_SUBMITTED',
      'GUARANTEE_FUND_CLAIM_APPROVED',
      'GUARANTEE_FUND_CLAIM_PAID',
    ]);
    await receiveAll(topUp, '2026-04-15');
    expect((await ledger()).balanceCents).toBe(12_400_000);
  });

  it('refuses a claim: conditions not met need a justification to approve; a refused claim is never paid', async () => {
    const before = await ledger();
    const submitted = await t.call(
      'POST',
      `/guarantee-funds/${fundId}/claims`,
      admin,
      claimForm(parties.corp2 ?? '', {
        caseReference: 'WK-2026-0023',
        tenancyEnd: 'OTHER',
        amountCents: 80_000,
        depositCents: 90_000,
        categories: [{ category: 'REPAIR_MUTATION', amountCents: 80_000 }],
      }),
    );
    expect(submitted.status).toBe(201);
    expect(submitted.json.conditionFailures).toEqual([
      'TENANCY_NOT_ENDED_BY_EVICTION_OR_DEPARTURE',
      'AMOUNT_NOT_ABOVE_DEPOSIT',
    ]);
    const path = `/guarantee-funds/${fundId}/claims/${submitted.json.claimId as string}`;
    const unjustified = await t.call('POST', `${path}/decision`, chair, {
      decision: 'APPROVE',
      reason: 'wanted to',
    });
    expect(unjustified).toMatchObject({ status: 422, json: { code: 'CLAIM_CONDITIONS_NOT_MET' } });
    expect(unjustified.type).toContain('application/problem+json');
    const refused = await t.call('POST', `${path}/decision`, chair, {
      decision: 'REFUSE',
      reason: 'the tenancy did not end negatively and the amount is below the deposit',
    });
    expect(refused.json).toMatchObject({ status: 'REFUSED', deviationJustification: null });
    const pay = await t.call('POST', `${path}/payment`, cashier, { paidOn: '2026-05-01' });
    expect(pay).toMatchObject({ status: 409, json: { code: 'CLAIM_STATE' } });
    const redecide = await t.call('POST', `${path}/decision`, chair, {
      decision: 'APPROVE',
      reason: 'again',
      deviationJustification: 'a long enough reason',
    });
    expect(redecide).toMatchObject({ status: 409, json: { code: 'CLAIM_STATE' } });
    expect((await ledger()).entries).toHaveLength(before.entries.length);

    // A deviation is possible only with a recorded justification (article 7 lid 9).
    const deviating = await t.call(
      'POST',
      `/guarantee-funds/${fundId}/claims`,
      admin,
      claimForm(parties.corp2 ?? '', {
        caseReference: 'WK-2026-0031',
        tenancyEnd: 'OTHER',
        amountCents: 120_000,
        categories: [{ category: 'LEGAL', amountCents: 120_000 }],
      }),
    );
    const justified = await t.call(
      'POST',
      `/guarantee-funds/${fundId}/claims/${deviating.json.claimId as string}/decision`,
      chair,
      {
        decision: 'APPROVE',
        reason: 'exceptional case',
        deviationJustification:
          'disproportionate consequences for the corporation; consented by the consultation',
      },
    );
    expect(justified.json).toMatchObject({
      status: 'APPROVED',
      deviationJustification:
        'disproportionate consequences for the corporation; consented by the consultation',
    });
  });

  it('refuses personal data and bad input with a problem document; nothing stored', async () => {
    const count = await t.count('guarantee_fund_claims');
    const cases: [Json, number, string][] = [
      [{ documents: ['BSN-123456782'] }, 422, 'CLAIM_PERSONAL_DATA'],
      [{ evaluation: 'client 1234.56.782 left' }, 422, 'CLAIM_PERSONAL_DATA'],
      [{ caseReference: 'Jan Jansen' }, 400, 'VALIDATION_FAILED'],
      [{ clientName: 'Jan Jansen' }, 400, 'VALIDATION_FAILED'],
      [
        { amountCents: 100_000_001, categories: [{ category: 'LEGAL', amountCents: 100_000_001 }] },
        400,
        'VALIDATION_FAILED',
      ],
      [{ tenancyEndedOn: '2026-02-30' }, 400, 'VALIDATION_FAILED'],
      [{ amountCents: 1 }, 400, 'VALIDATION_FAILED'],
    ];
    for (const [change, status, code] of cases) {
      const res = await t.call(
        'POST',
        `/guarantee-funds/${fundId}/claims`,
        admin,
        claimForm(parties.corp1 ?? '', change),
      );
      expect({ change, status: res.status, code: res.json.code }).toEqual({ change, status, code });
      expect(res.type).toContain('application/problem+json');
    }
    expect(await t.count('guarantee_fund_claims')).toBe(count);
  });

  it('a joining corporation changes the split from its date; a leaving party is not called', async () => {
    parties.corp3 = await join({
      kind: 'CORPORATION',
      name: 'Corporatie Peel',
      organisationId: corp3,
      joinedOn: '2026-07-01',
    });
    const left = await t.call(
      'POST',
      `/guarantee-funds/${fundId}/parties/${parties.care2 ?? ''}/leave`,
      admin,
      { leftOn: '2026-07-01' },
    );
    expect(left).toMatchObject({ status: 200, json: { leftOn: '2026-07-01' } });
    const july = await t.call('POST', `/guarantee-funds/${fundId}/calls`, cashier, {
      calledOn: '2026-07-02',
    });
    expect(july.status).toBe(201);
    const lines = (july.json as unknown as Call).lines;
    const amount = (id: string | undefined) => lines.find((l) => l.partyId === id)?.amountCents;
    // 3000 : 1000 : 4000 dwellings in force on the call date.
    expect([amount(parties.corp1), amount(parties.corp2), amount(parties.corp3)]).toEqual([
      1_875_000, 625_000, 2_500_000,
    ]);
    expect(amount(parties.care2)).toBeUndefined();
    expect(sum(lines)).toBe(10_100_000);
    // Before its date the newcomer is not in a call: a call dated before it has the old split.
    const june = await t.call('POST', `/guarantee-funds/${fundId}/calls`, cashier, {
      calledOn: '2026-06-30',
    });
    expect((june.json as unknown as Call).lines.find((l) => l.partyId === parties.corp3)).toBeUndefined();
    await receiveAll(july.json as unknown as Call, '2026-07-20');
  });

  it('termination refunds the balance pro rata to contributions, to the cent; the party that left gets nothing', async () => {
    const before = await ledger();
    const contributed: Record<string, number> = {};
    for (const e of before.entries)
      if (e.kind === 'CONTRIBUTION' && e.partyId)
        contributed[e.partyId] = (contributed[e.partyId] ?? 0) + e.signedCents;
    const res = await t.call('POST', `/guarantee-funds/${fundId}/termination`, chair, {
      terminatedOn: '2026-12-31',
      reason: 'terminated by all parties',
    });
    expect(res.status).toBe(200);
    const refunds = res.json.refunds as { partyId: string; signedCents: number }[];
    expect(refunds.reduce((a, r) => a - r.signedCents, 0)).toBe(before.balanceCents);
    expect(refunds.find((r) => r.partyId === parties.care2)).toBeUndefined();
    const weights = Object.fromEntries(Object.entries(contributed).filter(([id]) => id !== parties.care2));
    const total = Object.values(weights).reduce((a, b) => a + b, 0);
    for (const r of refunds) {
      const exact = (before.balanceCents * (weights[r.partyId] ?? 0)) / total;
      expect(Math.abs(-r.signedCents - exact)).toBeLessThan(1);
    }
    expect((res.json.fund as Json).balanceCents).toBe(0);
    const after = await t.call('POST', `/guarantee-funds/${fundId}/calls`, cashier, {
      calledOn: '2027-01-02',
    });
    expect(after).toMatchObject({ status: 409, json: { code: 'FUND_TERMINATED' } });
  });

  it("two tenants: another tenant's roles and a fund's party do not reach what is not theirs", async () => {
    const admin2 = t.token(owner2, ['admin'], 'admin-2');
    const created = await t.call('POST', '/guarantee-funds', admin2, {
      ownerOrganisationId: owner2,
      name: 'Fonds Twee',
      startsOn: '2026-01-01',
    });
    expect(created.status).toBe(201);
    fund2 = created.json.fundId as string;
    const foreignOwner = await t.call('POST', '/guarantee-funds', admin2, {
      ownerOrganisationId: owner,
      name: 'Kaping',
      startsOn: '2026-01-01',
    });
    expect(foreignOwner).toMatchObject({ status: 403, json: { code: 'FUND_FORBIDDEN_SCOPE' } });

    for (const token of [
      admin2,
      t.token(owner2, ['fund-chair']),
      t.token(owner2, ['fund-cashier']),
      t.token(owner2, ['auditor']),
      t.token(corp1, ['finance']), // a party of fund 1 reads its own statement only
    ]) {
      for (const path of ['', '/ledger', '/calls', '/claims', '/overview', '/monitoring?year=2026&half=1'])
        expect((await t.call('GET', `/guarantee-funds/${fundId}${path}`, token)).status).toBe(404);
    }
    const list2 = await t.call('GET', '/guarantee-funds', admin2);
    expect((list2.json as unknown as { fundId: string }[]).map((f) => f.fundId)).toEqual([fund2]);
    expect(
      (
        await t.call('POST', `/guarantee-funds/${fund2}/parties`, admin, {
          kind: 'CARE_PROVIDER',
          name: 'Indringer',
          joinedOn: '2026-02-01',
        })
      ).json.code,
    ).toBe('FUND_NOT_FOUND');
    expect(
      (await t.call('POST', `/guarantee-funds/${fund2}/calls`, cashier, { calledOn: '2026-02-01' })).json
        .code,
    ).toBe('FUND_NOT_FOUND');
    const party2 = (
      await t.call('POST', `/guarantee-funds/${fund2}/parties`, admin2, {
        kind: 'CORPORATION',
        name: 'Corporatie Venray',
        organisationId: corp1,
        joinedOn: '2026-01-01',
      })
    ).json.partyId as string;
    // Tenant 1's admin cannot claim on tenant 2's fund; corp1 claims on fund 2 only for its own party there.
    expect(
      (await t.call('POST', `/guarantee-funds/${fund2}/claims`, admin, claimForm(party2))).json.code,
    ).toBe('FUND_NOT_FOUND');
    const care = (
      await t.call('POST', `/guarantee-funds/${fund2}/parties`, admin2, {
        kind: 'CARE_PROVIDER',
        name: 'Zorg Twee',
        joinedOn: '2026-01-01',
      })
    ).json.partyId as string;
    const foreignParty = await t.call(
      'POST',
      `/guarantee-funds/${fund2}/claims`,
      t.token(corp1, ['finance']),
      claimForm(care),
    );
    expect(foreignParty).toMatchObject({ status: 403, json: { code: 'FUND_FORBIDDEN_SCOPE' } });
    expect(await t.query(`SELECT 1 FROM guarantee_fund_claims WHERE fund_id = $1`, [fund2])).toEqual([]);

    // A party's organisation reads its own statement, not another party's.
    const own = await t.raw('GET', `/guarantee-funds/${fundId}/statements/${parties.corp1 ?? ''}`, {
      headers: { authorization: `Bearer ${t.token(corp1, ['finance'])}` },
    });
    expect(own.status).toBe(200);
    const other = await t.call(
      'GET',
      `/guarantee-funds/${fundId}/statements/${parties.corp2 ?? ''}`,
      t.token(corp1, ['finance']),
    );
    expect(other).toMatchObject({ status: 404, json: { code: 'FUND_PARTY_NOT_FOUND' } });
    const foreign = await t.call(
      'GET',
      `/guarantee-funds/${fundId}/statements/${parties.corp1 ?? ''}`,
      admin2,
    );
    expect(foreign.status).toBe(404);
  });

  it('writes per-party statements (CSV, PDF), the overview with the balance history and the monitoring figures', async () => {
    const csv = await t.raw(
      'GET',
      `/guarantee-funds/${fundId}/statements/${parties.corp1 ?? ''}?format=csv`,
      {
        headers: { authorization: `Bearer ${admin}` },
      },
    );
    expect(csv.type).toContain('text/csv');
    const rows = csv.body.toString('utf8').trim().split(/\r?\n/);
    const total = rows[rows.length - 1]?.split(',') ?? [];
    // Called: initial 3 750 000 + top-up 3 750 000 + July 1 875 000 + June 3 750 000 (unpaid); paid in the first three.
    expect(total.slice(6, 9)).toEqual(['TOTAL', '13125000', '9375000']);
    const pdf = await t.raw(
      'GET',
      `/guarantee-funds/${fundId}/statements/${parties.corp1 ?? ''}?format=pdf`,
      {
        headers: { authorization: `Bearer ${admin}` },
      },
    );
    expect(pdf.type).toContain('application/pdf');
    expect(pdfText(pdf.body)).toContain('Contributed: EUR 93750.00');
    const overview = await t.raw('GET', `/guarantee-funds/${fundId}/overview`, {
      headers: { authorization: `Bearer ${chair}` },
    });
    const text = pdfText(overview.body);
    expect(text).toContain('Balance history');
    expect(text).toContain('2026-03-10: EUR 22000.00');
    expect(text).toContain('Balance: EUR 0.00');

    const h1 = await t.call('GET', `/guarantee-funds/${fundId}/monitoring?year=2026&half=1`, cashier);
    expect(h1.json).toMatchObject({
      openingBalanceCents: 0,
      contributionsCents: 20_400_000,
      payoutsCents: 8_000_000,
      closingBalanceCents: 12_400_000,
      callsMade: 3,
      topUpCalls: 2,
      claimsPaid: 1,
      paidByCategoryCents: {
        RENT_LOSS: 5_000_000,
        REPAIR_MUTATION: 2_500_000,
        LEGAL: 0,
        EVICTION_COSTS: 500_000,
      },
    });
    const h2 = await t.call('GET', `/guarantee-funds/${fundId}/monitoring?year=2026&half=2`, cashier);
    expect(h2.json).toMatchObject({
      openingBalanceCents: 12_400_000,
      closingBalanceCents: 0,
      partiesAtEnd: { MUNICIPALITY: 3, CORPORATION: 3, CARE_PROVIDER: 1 },
    });
    const bad = await t.call('GET', `/guarantee-funds/${fundId}/monitoring?year=2026&half=3`, cashier);
    expect(bad).toMatchObject({ status: 400 });
    const exports = await t.query<{ action: string }>(
      `SELECT action FROM access_log_entries WHERE action LIKE 'GUARANTEE_FUND_%EXPORTED' OR action = 'GUARANTEE_FUND_MONITORING_READ'`,
    );
    expect(exports.length).toBeGreaterThanOrEqual(6);
  });
});
