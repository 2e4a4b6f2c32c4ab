import { randomUUID } from 'node:crypto';
import { AllocationRecordedEvent } from '@divit/contracts';
import { HostileTier, operatorRoles, tenantRoles } from '@divit/testing';
import { BillingTestApp, times, usageOf } from './support';

const MARCH = { periodStart: '2025-03-01', periodEnd: '2025-03-31' };
const CSV_HEADER =
  'invoiceNumber,issuer,payerOrganisationId,periodStart,periodEnd,currency,unit,count,amountCents,totalCents,creditsInvoiceNumber';

/**
 * The hostile-client tier for billing-reconciliation, generated from docs/openapi/billing-reconciliation.json
 * (see docs/testing.md): tenant B against every operation on tenant A's data, seeded bad input for every write,
 * and bursts of 50 simultaneous requests of tenant A with the pool at its default size.
 */
describe('billing-reconciliation: hostile clients (every operation of the OpenAPI document)', () => {
  // The rate limit has its own tests; here it would answer the concurrency bursts instead of the pool.
  const t = new BillingTestApp({ RATE_LIMIT_ENABLED: 'false' });
  let tier: HostileTier;

  beforeAll(async () => {
    await t.start();
    // Tenant A: a route B allocator with a member corporation, usage, an invoice and a closed March; tenant B:
    // a route A corporation of its own. Organisations and usage arrive as registration's and
    // identity-validation's events.
    const allocatorA = await t.organisation('Woonruimteverdeler A', 'HOUSING_ALLOCATOR', 'B');
    const memberA = await t.organisation('Woonstichting A', 'CORPORATION', 'A');
    const orgB = await t.organisation('Woonstichting B', 'CORPORATION', 'A');
    await t.member(allocatorA, memberA, 1000);
    await t.waitForRows('housing_stock', 1, `organisation_id = '${allocatorA}'`);
    await t.usage(times(2, (i) => usageOf(allocatorA, 'DIGID_LOGIN', `2025-03-0${i + 1}T10:00:00Z`)));
    await t.waitForRows('usage_records', 2, `organisation_id = '${allocatorA}'`);
    // An allocation of A's, for the subject-access section (billing keeps no registration ids).
    const registrationA = randomUUID();
    const allocationA = randomUUID();
    await t.publish(AllocationRecordedEvent, [
      {
        key: allocationA,
        value: {
          allocationId: allocationA,
          registrationId: registrationA,
          organisationId: allocatorA,
          lettingCorporationId: memberA,
          leaseStartDate: '2025-03-01',
          monthlyRentCents: 65_000,
          exemptionGroup: null,
          members: [{ memberId: randomUUID(), role: 'HOME_SEEKER', adult: true }],
          occurredAt: Date.now(),
        },
      },
    ]);
    await t.waitForRows('allocations', 1, `allocation_id = '${allocationA}'`);
    const a = t.token(allocatorA, operatorRoles(), 'tenant-a-admin');
    const invoiceCsv = (number: string) =>
      `${CSV_HEADER}\n${number},LOGIUS,${allocatorA},2025-03-01,2025-03-31,EUR,DIGID_LOGIN,2,100,100,`;
    const imported = await t.raw('POST', '/invoices', {
      headers: { authorization: `Bearer ${a}`, 'content-type': 'text/csv' },
      body: invoiceCsv('HA-2025-03'),
    });
    if (imported.status !== 201)
      throw new Error(`fixture invoice: ${imported.status} ${imported.body.toString()}`);
    const invoiceId = (JSON.parse(imported.body.toString()) as { invoices: { id: string }[] }).invoices[0]
      ?.id;
    const closed = await t.call('POST', '/reconciliations/close', a, {
      payerOrganisationId: allocatorA,
      ...MARCH,
    });
    if (closed.status !== 201) throw new Error(`fixture close: ${closed.status} ${closed.text}`);
    const reconciliationId = String(closed.json.reconciliationId);
    // Tenant A's guarantee fund (issue 17): a corporation party, a call, a claim.
    const fund = await t.call('POST', '/guarantee-funds', a, {
      ownerOrganisationId: allocatorA,
      name: 'Fonds A',
      startsOn: '2025-01-01',
    });
    if (fund.status !== 201) throw new Error(`fixture fund: ${fund.status} ${fund.text}`);
    const fundId = String(fund.json.fundId);
    const party = await t.call('POST', `/guarantee-funds/${fundId}/parties`, a, {
      kind: 'CORPORATION',
      name: 'Woonstichting A',
      organisationId: memberA,
      joinedOn: '2025-01-01',
    });
    const partyId = String(party.json.partyId);
    const call = await t.call('POST', `/guarantee-funds/${fundId}/calls`, a, { calledOn: '2025-01-05' });
    if (call.status !== 201) throw new Error(`fixture call: ${call.status} ${call.text}`);
    const callId = String(call.json.callId);
    const claimForm = {
      partyId,
      caseReference: 'WK-2025-0001',
      tenancyEnd: 'EVICTION',
      tenancyEndedOn: '2025-02-28',
      amountCents: 100_000,
      depositCents: 50_000,
      categories: [{ category: 'RENT_LOSS', amountCents: 100_000 }],
      documents: ['DMS/2025/1'],
    };
    const claim = await t.call('POST', `/guarantee-funds/${fundId}/claims`, a, claimForm);
    if (claim.status !== 201) throw new Error(`fixture claim: ${claim.status} ${claim.text}`);
    const claimId = String(claim.json.claimId);
    const onFund = { path: { id: fundId } };
    // Tenant A's supplier cost (issue 16 item 8).
    const supplierCost = (invoiceNumber: string) => ({
      supplier: 'WOONSOFT',
      invoiceNumber,
      payerOrganisationId: allocatorA,
      ...MARCH,
      currency: 'EUR',
      description: 'DIV-it module, March',
      amountCents: 1_000,
    });
    const costs = await t.call('POST', '/supplier-costs', a, { costs: [supplierCost('WS-A-1')] });
    if (costs.status !== 201) throw new Error(`fixture supplier cost: ${costs.status} ${costs.text}`);
    const supplierCostId = String((costs.json as unknown as { supplierCostId: string }[])[0]?.supplierCostId);

    tier = new HostileTier({
      service: 'billing-reconciliation',
      app: t,
      tokens: { a, b: t.token(orgB, tenantRoles(), 'tenant-b-admin') },
      values: {
        payerOrganisationId: allocatorA,
        organisationId: allocatorA,
        memberOrganisationId: memberA,
        memberId: memberA,
        id: reconciliationId,
        ownerOrganisationId: allocatorA,
        partyId,
        callId,
        claimId,
        ...MARCH,
      },
      requests: {
        subjectAccessSection: {
          path: { registrationId: registrationA },
          query: { allocationIds: allocationA },
        },
        invoicesGet: { path: { id: String(invoiceId) } },
        invoicesImport: { body: invoiceCsv('HA-2025-03-B') },
        reconciliationsReopen: {
          body: { payerOrganisationId: allocatorA, ...MARCH, reason: 'hostile reopen' },
        },
        allocationKeysSet: { body: { effectiveFrom: '2025-01-01', basis: 'EQUAL' } },
        tariffsSet: {
          body: { issuer: 'LOGIUS', unit: 'DIGID_LOGIN', validFrom: '2025-01-01', unitPriceMillicents: 1 },
        },
        guaranteeFundCreate: {
          body: { ownerOrganisationId: allocatorA, name: 'Fonds A2', startsOn: '2025-01-01' },
        },
        guaranteeFundGet: onFund,
        guaranteeFundJoin: {
          ...onFund,
          body: { kind: 'CARE_PROVIDER', name: 'Zorg A', joinedOn: '2025-02-01' },
        },
        guaranteeFundLeave: { path: { id: fundId, partyId }, body: { leftOn: '2025-06-01' } },
        guaranteeFundCall: { ...onFund, body: { calledOn: '2025-02-01' } },
        guaranteeFundCalls: onFund,
        guaranteeFundReceive: {
          path: { id: fundId, callId },
          body: { partyId, receivedOn: '2025-01-31' },
        },
        guaranteeFundLedger: onFund,
        guaranteeFundSubmit: { ...onFund, body: claimForm },
        guaranteeFundClaims: onFund,
        guaranteeFundClaim: { path: { id: fundId, claimId } },
        guaranteeFundDecide: {
          path: { id: fundId, claimId },
          body: { decision: 'APPROVE', reason: 'hostile approval' },
        },
        guaranteeFundPay: { path: { id: fundId, claimId }, body: { paidOn: '2025-03-01' } },
        guaranteeFundTerminate: { ...onFund, body: { terminatedOn: '2025-12-31', reason: 'hostile' } },
        guaranteeFundStatement: { path: { id: fundId, partyId }, query: { format: 'csv' } },
        guaranteeFundOverview: onFund,
        supplierCostsImport: { body: { costs: [supplierCost('WS-A-2')] } },
        supplierCostsList: { query: { payerOrganisationId: allocatorA } },
        supplierCostsGet: { path: { id: supplierCostId } },
        supplierCostsStatements: { path: { id: supplierCostId } },
        guaranteeFundMonitoring: { ...onFund, query: { year: '2025', half: '1' } },
      },
      ignoredTables: {
        access_log_entries:
          'an append-only record of attempts (a refused one may rightly be logged); B’s reads are judged by their answers',
      },
      classes: {
        tariffsSet: {
          kind: 'operator',
          reason: 'tariffs are the platform’s price list for every tenant',
        },
      },
      burst: [
        'reconciliationsGet',
        'reconciliationsOverview',
        'reconciliationsStatements',
        'invoicesGet',
        'reconciliationsDryRun',
        'allocationKeysSet',
        'guaranteeFundGet',
        'guaranteeFundLedger',
        'guaranteeFundCall',
      ],
    });
  });

  afterAll(async () => {
    await tier?.releaseStuckSessions();
    tier?.summary();
    await t.stop();
  });

  it('classifies every operation of the OpenAPI document (public ones with a reason)', () => {
    expect(tier.classification()).toEqual([]);
  });

  it("tenant B cannot read or change tenant A's data through any operation (0 partial writes)", async () => {
    expect(await tier.crossTenant()).toEqual([]);
  });

  it('answers seeded bad input on every write, query and path parameter with 4xx problem+json, never 5xx', async () => {
    expect(await tier.badInput()).toEqual([]);
  }, 300_000);

  it('answers bursts of 50 simultaneous requests of tenant A without 5xx or a stuck pool', async () => {
    expect(await tier.concurrency(50)).toEqual([]);
  }, 300_000);
});
