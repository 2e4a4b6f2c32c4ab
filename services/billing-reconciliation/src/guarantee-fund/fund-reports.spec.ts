import {
  balanceHistory,
  FundSnapshot,
  halfYear,
  monitoring,
  partyStatement,
  partyStatementCsv,
} from './fund-reports';

const fund = {
  fundId: 'f0000000-0000-4000-8000-000000000001',
  ownerOrganisationId: 'o0000000-0000-4000-8000-000000000001',
  name: '=HYPERLINK("x")',
  startsOn: '2026-01-01',
  municipalitiesTotalCents: 5_000_000,
  corporationsTotalCents: 5_000_000,
  careProviderCents: 100_000,
  thresholdCents: 2_500_000,
  terminatedOn: null,
  terminationReason: null,
};
const party = (
  partyId: string,
  kind: 'MUNICIPALITY' | 'CARE_PROVIDER',
  joinedOn: string,
  leftOn: string | null = null,
) => ({
  partyId,
  fundId: fund.fundId,
  kind,
  name: partyId,
  organisationId: null,
  regionalKey: kind === 'MUNICIPALITY' ? 1 : null,
  joinedOn,
  leftOn,
});
const entry = (
  seq: number,
  kind: 'CONTRIBUTION' | 'PAYOUT' | 'REFUND',
  bookedOn: string,
  cents: number,
  partyId: string,
  balanceAfterCents: number,
) => ({
  entryId: `e${seq}`,
  seq,
  kind,
  bookedOn,
  signedCents: kind === 'CONTRIBUTION' ? cents : -cents,
  partyId,
  callId: kind === 'CONTRIBUTION' ? 'c1' : null,
  claimId: kind === 'PAYOUT' ? 'k1' : null,
  recordedBy: 'x',
  recordedAt: `${bookedOn}T10:00:00.000Z`,
  balanceAfterCents,
});

const snapshot: FundSnapshot = {
  fund,
  parties: [
    party('m1', 'MUNICIPALITY', '2026-01-01'),
    party('z1', 'CARE_PROVIDER', '2026-01-01', '2026-07-01'),
  ],
  calls: [
    {
      callId: 'c1',
      fundId: fund.fundId,
      kind: 'INITIAL',
      calledOn: '2026-01-05',
      balanceCents: 0,
      triggeredByClaimId: null,
      lines: [
        {
          partyId: 'm1',
          amountCents: 5_000_000,
          keyNumerator: 1,
          keyDenominator: 1,
          receivedEntryId: 'e1',
          receivedOn: '2026-01-31',
        },
        {
          partyId: 'z1',
          amountCents: 100_000,
          keyNumerator: 1,
          keyDenominator: 1,
          receivedEntryId: 'e2',
          receivedOn: '2026-01-31',
        },
      ],
    },
  ],
  entries: [
    entry(1, 'CONTRIBUTION', '2026-01-31', 5_000_000, 'm1', 5_000_000),
    entry(2, 'CONTRIBUTION', '2026-01-31', 100_000, 'z1', 5_100_000),
    entry(3, 'PAYOUT', '2026-06-30', 3_000_000, 'm1', 2_100_000),
    entry(4, 'PAYOUT', '2026-07-01', 100_000, 'm1', 2_000_000),
  ],
  claims: [
    {
      claimId: 'k1',
      fundId: fund.fundId,
      partyId: 'm1',
      caseReference: 'WK-2026-0001',
      tenancyEnd: 'EVICTION',
      tenancyEndedOn: '2026-05-01',
      amountCents: 3_000_000,
      depositCents: 0,
      categories: [{ category: 'RENT_LOSS', amountCents: 3_000_000 }],
      documents: ['d'],
      evaluation: null,
      conditionFailures: [],
      status: 'PAID',
      submittedBy: 's',
      submittedAt: '2026-06-01T08:00:00.000Z',
      decidedBy: 'c',
      decidedAt: '2026-06-20T08:00:00.000Z',
      decisionReason: 'ok',
      deviationJustification: null,
      paidEntryId: 'e3',
      paidBy: 'p',
      paidOn: '2026-06-30',
    },
  ],
  today: '2026-12-07',
};

describe('guarantee fund reports (pure)', () => {
  it('gives the balance at the end of each booking day, from 0 on the start', () => {
    expect(balanceHistory(snapshot)).toEqual([
      { date: '2026-01-01', balanceCents: 0 },
      { date: '2026-01-31', balanceCents: 5_100_000 },
      { date: '2026-06-30', balanceCents: 2_100_000 },
      { date: '2026-07-01', balanceCents: 2_000_000 },
    ]);
  });

  it('counts the half years at their edges: 30 June in the first, 1 July in the second', () => {
    expect(halfYear(2026, 1)).toEqual({ start: '2026-01-01', end: '2026-06-30' });
    const h1 = monitoring(snapshot, 2026, 1);
    expect(h1).toMatchObject({
      openingBalanceCents: 0,
      contributionsCents: 5_100_000,
      payoutsCents: 3_000_000,
      closingBalanceCents: 2_100_000,
      callsMade: 1,
      claimsSubmitted: 1,
      claimsApproved: 1,
      claimsPaid: 1,
      claimsOpen: 0,
      evictions: 1,
      paidByCategoryCents: { RENT_LOSS: 3_000_000, REPAIR_MUTATION: 0, LEGAL: 0, EVICTION_COSTS: 0 },
      partiesAtEnd: { MUNICIPALITY: 1, CORPORATION: 0, CARE_PROVIDER: 1 },
    });
    const h2 = monitoring(snapshot, 2026, 2);
    expect(h2).toMatchObject({
      openingBalanceCents: 2_100_000,
      payoutsCents: 100_000,
      closingBalanceCents: 2_000_000,
      claimsSubmitted: 0,
      partiesAtEnd: { MUNICIPALITY: 1, CARE_PROVIDER: 0 },
    });
  });

  it("states a party's calls, contributions and payouts, and escapes a formula in a name", () => {
    expect(partyStatement(snapshot, 'm1')).toMatchObject({
      calledCents: 5_000_000,
      contributedCents: 5_000_000,
      outstandingCents: 0,
      paidOutToPartyCents: 3_100_000,
      refundedCents: 0,
    });
    expect(partyStatementCsv(snapshot, 'm1')).toContain(`'=HYPERLINK`);
  });
});
