import { DataCategorySymbols } from '@divit/contracts';
import {
  boundsProblem,
  categoriesFor,
  DEFAULT_POLICIES,
  durationSeconds,
  isoDuration,
  datasetPolicies,
  OWNERS,
  parseDefaultPolicies,
} from './policy';

describe('retention policies (shipped defaults)', () => {
  it('has one default per data category, each with a source, within its own bounds', () => {
    expect([...DEFAULT_POLICIES.keys()].sort()).toEqual([...DataCategorySymbols].sort());
    for (const p of DEFAULT_POLICIES.values()) {
      expect(p.source.length).toBeGreaterThan(20);
      expect(boundsProblem(p, p.retention)).toBeNull();
    }
  });

  it('sends access-log erasures to every service and the rest to their one owner', () => {
    expect(OWNERS.ACCESS_LOGS).toHaveLength(5);
    expect(OWNERS.HASHED_BSN).toEqual(['IDENTITY_VALIDATION']);
    expect(OWNERS.USED_INCOME).toEqual(['INCOME_RETRIEVAL']);
    expect(OWNERS.INVOICES_AND_REPORTS).toEqual(['BILLING_RECONCILIATION']);
  });

  it('withdrawal erases the hashed BSN and unused income, never used income', () => {
    const due = categoriesFor('CONSENT_WITHDRAWN');
    expect(due).toEqual(expect.arrayContaining(['HASHED_BSN', 'UNUSED_INCOME']));
    expect(due).not.toContain('USED_INCOME');
    expect(categoriesFor('INCOME_DECISION')).toEqual(['USED_INCOME']);
  });

  it('reads ISO-8601 durations and compares them with the legal bounds', () => {
    expect(durationSeconds('PT1S')).toBe(1);
    expect(durationSeconds('P1D')).toBe(86400);
    expect(durationSeconds('P2Y')).toBeGreaterThan(durationSeconds('P23M'));
    expect(isoDuration.safeParse('P').success).toBe(false);
    expect(isoDuration.safeParse('12 months').success).toBe(false);
    expect(isoDuration.safeParse('P1Y6M').success).toBe(true);
    expect(boundsProblem({ minimum: 'P7Y', maximum: 'P10Y' }, 'P1Y')).toBe('below the legal minimum P7Y');
    expect(boundsProblem({ minimum: 'P0D', maximum: 'P5Y' }, 'P6Y')).toBe('above the legal maximum P5Y');
  });

  it('refuses a defaults file with a missing category or a retention outside its bounds', () => {
    const policies = [...DEFAULT_POLICIES.values()];
    expect(() => parseDefaultPolicies({ policies: policies.slice(1) })).toThrow(/no default policy/);
    expect(() =>
      parseDefaultPolicies({ policies: [{ ...policies[0], retention: 'P99Y' }, ...policies.slice(1)] }),
    ).toThrow(/above the legal maximum/);
  });

  it('keeps migrated dossiers and their concordance exactly three years and purges import rejects, as registration data (issue 16 item 12)', () => {
    const byId = new Map(datasetPolicies().map((d) => [d.policyId, d]));
    expect([...byId.keys()].sort()).toEqual([
      'default/REGISTRATION_DATA/IMPORT_REJECTS',
      'default/REGISTRATION_DATA/MIGRATED_DOSSIERS',
    ]);
    const dossiers = byId.get('default/REGISTRATION_DATA/MIGRATED_DOSSIERS');
    expect(dossiers).toMatchObject({
      category: 'REGISTRATION_DATA',
      targets: ['REGISTRATION'],
      policy: { retention: 'P3Y', minimum: 'P3Y', maximum: 'P3Y', triggers: ['AGE'] },
    });
    expect(dossiers?.policy.source).toMatch(/seeds\/004.*art\. 66/);
    const rejects = byId.get('default/REGISTRATION_DATA/IMPORT_REJECTS');
    expect(rejects).toMatchObject({ category: 'REGISTRATION_DATA', policy: { triggers: ['AGE'] } });
    expect(durationSeconds(rejects!.policy.retention)).toBeLessThanOrEqual(durationSeconds('P3Y'));
  });

  it('refuses a dataset policy outside its bounds, given twice, or with a lifecycle trigger', () => {
    const policies = [...DEFAULT_POLICIES.values()];
    const registrationData = policies.find((p) => p.category === 'REGISTRATION_DATA')!;
    const others = policies.filter((p) => p !== registrationData);
    const dossiers = registrationData.datasets![0]!;
    const withDatasets = (datasets: unknown[]) => ({
      policies: [...others, { ...registrationData, datasets }],
    });
    expect(() => parseDefaultPolicies(withDatasets([{ ...dossiers, retention: 'P1Y' }]))).toThrow(
      /dataset policy REGISTRATION_DATA\/MIGRATED_DOSSIERS: below the legal minimum P3Y/,
    );
    expect(() => parseDefaultPolicies(withDatasets([dossiers, dossiers]))).toThrow(/given twice/);
    expect(() =>
      parseDefaultPolicies(withDatasets([{ ...dossiers, triggers: ['REGISTRATION_DEREGISTERED'] }])),
    ).toThrow();
    expect(() => parseDefaultPolicies(withDatasets([{ ...dossiers, dataset: 'lower-case' }]))).toThrow();
  });
});
