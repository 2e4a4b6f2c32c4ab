import { DEFAULT_POLICIES, checkedRetention, effective, retentionFor } from '../policy';
import { parseAgreements, SHIPPED_AGREEMENTS } from './agreement';
import woonkans from './woonkans.json';

const agreement = (policies: unknown[], id = 'test-agreement') => ({
  id,
  name: 'Test agreement',
  sourceDocument: 'a test document',
  policies,
});

describe('agreement policy sets (docs/adr/0036)', () => {
  it('ships Woonkans: access logs 12 months citing the agreement, its Wmo rows listed as not held here', () => {
    const w = SHIPPED_AGREEMENTS.get('woonkans');
    expect(w?.sourceDocument).toMatch(/seeds\/002/);
    expect([...(w?.policies.keys() ?? [])]).toEqual(['ACCESS_LOGS']);
    expect(w?.policies.get('ACCESS_LOGS')).toMatchObject({ retention: 'P12M', retentionByOutcome: null });
    expect(w?.policies.get('ACCESS_LOGS')?.source).toMatch(/Bewaartermijn logbestanden: 12 maanden/);
    expect(w?.notHeld.map((r) => r.row.split(' (')[0])).toEqual([
      'Melding inwoner',
      'Onderzoek melding',
      'Aanmelding inwoner',
      'Opstellen bemiddelingsprofiel',
      'Bemiddeling woning inwoner',
    ]);
    for (const r of w?.notHeld ?? []) expect(r.source).toMatch(/section 10 'Bewaartermijnen'/);
  });

  it('takes a retention by outcome of the income decision within the bounds of the category', () => {
    const [a] = [
      ...parseAgreements([
        agreement([
          {
            category: 'USED_INCOME',
            retentionByOutcome: { ELIGIBLE: 'P7Y', NOT_ELIGIBLE: 'P1Y' },
            source: 'test §1',
            assumption: false,
          },
        ]),
      ]).values(),
    ];
    const used = a?.policies.get('USED_INCOME');
    expect(used).toMatchObject({
      retention: 'P7Y',
      retentionByOutcome: { ELIGIBLE: 'P7Y', NOT_ELIGIBLE: 'P1Y' },
    });
    expect(retentionFor(used!, 'ELIGIBLE')).toBe('P7Y');
    expect(retentionFor(used!, 'NOT_ELIGIBLE')).toBe('P1Y');
    // No outcome (erasures scheduled before outcomes were recorded): the longest, nothing goes early.
    expect(retentionFor(used!, null)).toBe('P7Y');
  });

  it("refuses at load an agreement period outside a category's legal bounds: Woonkans' 15 years on used income", () => {
    expect(() =>
      parseAgreements([
        agreement([
          {
            category: 'USED_INCOME',
            retentionByOutcome: { ELIGIBLE: 'P15Y', NOT_ELIGIBLE: 'P5Y' },
            source: '002 section 10',
            assumption: true,
          },
        ]),
      ]),
    ).toThrow(
      'agreement test-agreement, policy for USED_INCOME: ELIGIBLE P15Y is above the legal maximum P7Y',
    );
    expect(() =>
      parseAgreements([
        agreement([{ category: 'USAGE_LEDGER', retention: 'P1Y', source: 's', assumption: false }]),
      ]),
    ).toThrow(/USAGE_LEDGER: below the legal minimum P7Y/);
  });

  it('refuses a retention by outcome where the triggers carry none, both or neither form, a category twice, an agreement twice', () => {
    expect(() =>
      parseAgreements([
        agreement([
          {
            category: 'ACCESS_LOGS',
            retentionByOutcome: { ELIGIBLE: 'P1Y', NOT_ELIGIBLE: 'P6M' },
            source: 's',
            assumption: false,
          },
        ]),
      ]),
    ).toThrow(/ACCESS_LOGS: retentionByOutcome needs triggers that carry an outcome .*AGE carries none/);
    expect(() =>
      parseAgreements([
        agreement([
          {
            category: 'USED_INCOME',
            retention: 'P2Y',
            retentionByOutcome: { ELIGIBLE: 'P2Y', NOT_ELIGIBLE: 'P1Y' },
            source: 's',
            assumption: false,
          },
        ]),
      ]),
    ).toThrow(/exactly one of retention and retentionByOutcome/);
    expect(() =>
      parseAgreements([agreement([{ category: 'USED_INCOME', source: 's', assumption: false }])]),
    ).toThrow(/exactly one of retention and retentionByOutcome/);
    const logs = { category: 'ACCESS_LOGS', retention: 'P12M', source: 's', assumption: false };
    expect(() => parseAgreements([agreement([logs, logs])])).toThrow(/ACCESS_LOGS given twice/);
    expect(() => parseAgreements([woonkans, woonkans])).toThrow(/agreement woonkans given twice/);
  });

  it('refuses an outcome map missing an outcome or naming an unknown one, a period that is no duration, a missing source', () => {
    const used = (p: Record<string, unknown>) =>
      parseAgreements([agreement([{ category: 'USED_INCOME', source: 's', assumption: false, ...p }])]);
    expect(() => used({ retentionByOutcome: { ELIGIBLE: 'P2Y' } })).toThrow();
    expect(() =>
      used({ retentionByOutcome: { ELIGIBLE: 'P2Y', NOT_ELIGIBLE: 'P1Y', EXEMPT: 'P1Y' } }),
    ).toThrow();
    expect(() => used({ retentionByOutcome: { ELIGIBLE: '15 years', NOT_ELIGIBLE: 'P1Y' } })).toThrow();
    expect(() =>
      parseAgreements([agreement([{ category: 'USED_INCOME', retention: 'P2Y', assumption: false }])]),
    ).toThrow();
    expect(() => parseAgreements([{ ...agreement([]), id: 'Bad Id' }])).toThrow();
  });

  it('checks a default policy the same way (exactly one form, by outcome only with outcome triggers)', () => {
    const usedIncome = DEFAULT_POLICIES.get('USED_INCOME')!;
    expect(
      checkedRetention('x', usedIncome, { retentionByOutcome: { ELIGIBLE: 'P3Y', NOT_ELIGIBLE: 'P1Y' } }),
    ).toEqual({ retention: 'P3Y', retentionByOutcome: { ELIGIBLE: 'P3Y', NOT_ELIGIBLE: 'P1Y' } });
    const consent = DEFAULT_POLICIES.get('CONSENT_PROOFS')!;
    expect(() =>
      checkedRetention('x', consent, { retentionByOutcome: { ELIGIBLE: 'P3Y', NOT_ELIGIBLE: 'P1Y' } }),
    ).toThrow(/REGISTRATION_DEREGISTERED carries none/);
  });

  it('puts in force the override over the agreement over the default, naming the policy id and source', () => {
    const base = DEFAULT_POLICIES.get('ACCESS_LOGS')!;
    const logs = SHIPPED_AGREEMENTS.get('woonkans')!.policies.get('ACCESS_LOGS')!;
    const org = '2d7c3f2e-1111-4d8e-9b0a-3c1f5e7a9b01';
    const agreement = { ...logs, agreementId: 'woonkans', organisationId: org };
    expect(effective(base, null)).toMatchObject({ policyId: 'default/ACCESS_LOGS', agreementId: null });
    const viaAgreement = effective(base, null, agreement);
    expect(viaAgreement).toMatchObject({
      policyId: 'agreement:woonkans/ACCESS_LOGS',
      organisationId: org,
      retention: 'P12M',
      source: logs.source,
      overridden: false,
    });
    expect(effective(base, { organisationId: org, retention: 'P6M' }, agreement)).toMatchObject({
      policyId: `${org}/ACCESS_LOGS`,
      retention: 'P6M',
      retentionByOutcome: null,
      overridden: true,
    });
  });
});
