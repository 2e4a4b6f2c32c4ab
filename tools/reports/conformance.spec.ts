import { buildConformanceReport, Evidence } from './conformance';

const organisationId = '3f2b8c1e-1234-4abc-9def-0123456789ab';
const period = { organisationId, from: '2026-01-01', to: '2027-01-01' };
const clean = { columnsScanned: 12, bsnLikeValues: 0, columns: [] as string[] };

function evidence(): Evidence {
  return {
    consent: {
      service: 'consent',
      ...period,
      requiredElements: ['legalDuty', 'dataSubjectRights'],
      textsInForce: [
        {
          textId: '5d3c1c2e-0000-4000-8000-000000000001',
          audience: 'HOME_SEEKER',
          purpose: 'BSN_AT_REGISTRATION',
          language: 'nl',
          version: 2,
          versionHash: 'ab'.repeat(32),
          publishedAt: '2026-02-01T10:00:00.000Z',
          elementsPresent: ['dataSubjectRights', 'legalDuty'],
          problems: [],
        },
      ],
      answers: [{ purpose: 'BSN_AT_REGISTRATION', subjectRole: 'HOME_SEEKER', answer: 'GRANTED', count: 3 }],
      withdrawals: [{ purpose: 'BSN_AT_REGISTRATION', subjectRole: 'HOME_SEEKER', count: 1 }],
      answersWithoutProofOfShowing: 0,
      bsnScan: clean,
    },
    identity: {
      service: 'identity-validation',
      ...period,
      sessions: [
        {
          purpose: 'BSN_AT_REGISTRATION',
          subjectRole: 'HOME_SEEKER',
          state: 'VALIDATED',
          failureCode: null,
          count: 2,
        },
        {
          purpose: 'BSN_AT_REGISTRATION',
          subjectRole: 'HOME_SEEKER',
          state: 'FAILED',
          failureCode: 'U3_BSN_CHECK_FAILED',
          count: 1,
        },
        {
          purpose: 'BSN_AND_INCOME_AT_ALLOCATION',
          subjectRole: 'CO_RESIDENT',
          state: 'VALIDATED',
          failureCode: null,
          count: 4,
        },
      ],
      storedHashes: [{ keyId: 'k1', count: 2 }],
      failedSessionsStillHoldingCheckData: 0,
      usage: [{ kind: 'DIGID_LOGIN', count: 7 }],
      bsnScan: clean,
    },
    income: {
      service: 'income-retrieval',
      ...period,
      decisions: [{ outcome: 'ELIGIBLE', alternativeRouteReason: null, count: 2 }],
      undecidedOpenAllocations: 0,
      unusedIncomeAfterEndWithoutLease: 0,
      statementsPastRetention: 0,
      bsnScan: clean,
    },
    retention: {
      service: 'retention-cleanup',
      ...period,
      erasures: [
        {
          trigger: 'CONSENT_WITHDRAWN',
          category: 'HASHED_BSN',
          commands: 1,
          acknowledged: 1,
          medianSecondsToErasure: 0.8,
          maxSecondsToErasure: 0.8,
        },
      ],
      deletionLogRecords: 1,
      rowsErased: 1,
      overdueErasures: 0,
      activeLegalHolds: 0,
      policies: [
        {
          category: 'HASHED_BSN',
          retention: 'P0D',
          overridden: false,
          source: 'domain.md',
          assumption: false,
        },
      ],
      bsnScan: clean,
    },
  };
}

const meta = { ...period, generatedAt: '2027-01-02T00:00:00.000Z' };

describe('the conformance report (issue 16 item 9)', () => {
  it('gives the ten points; 1, 8 and 10 organisational, 9 partly; the rest shown by clean evidence', () => {
    const report = buildConformanceReport(meta, evidence());
    expect(report.points.map((p) => [p.point, p.status])).toEqual([
      [1, 'ORGANISATIONAL'],
      [2, 'SHOWN'],
      [3, 'SHOWN'],
      [4, 'SHOWN'],
      [5, 'SHOWN'],
      [6, 'SHOWN'],
      [7, 'SHOWN'],
      [8, 'ORGANISATIONAL'],
      [9, 'PARTLY_ORGANISATIONAL'],
      [10, 'ORGANISATIONAL'],
    ]);
    expect(report.points[1]!.evidence.join('\n')).toContain(
      'process 4, BSN and income of co-residents at allocation: 4',
    );
    expect(report.points[6]!.evidence.join('\n')).toContain('median 0.8 s');
  });

  it('marks a gap: a BSN-shaped value, a text lacking an element, a failed session still holding data, an unacknowledged withdrawal', () => {
    const e = evidence();
    e.identity.bsnScan = { columnsScanned: 12, bsnLikeValues: 1, columns: ['notes.text'] };
    e.consent.textsInForce[0]!.problems = [{ element: 'dataSubjectRights', reason: 'missing' }];
    e.identity.failedSessionsStillHoldingCheckData = 1;
    e.retention.erasures[0]!.acknowledged = 0;
    const statuses = new Map(buildConformanceReport(meta, e).points.map((p) => [p.point, p]));
    expect(statuses.get(5)).toMatchObject({ status: 'ATTENTION' });
    expect(statuses.get(5)!.evidence.join('\n')).toContain('notes.text');
    expect(statuses.get(6)).toMatchObject({ status: 'ATTENTION' });
    expect(statuses.get(4)).toMatchObject({ status: 'ATTENTION' });
    expect(statuses.get(7)).toMatchObject({ status: 'ATTENTION' });
  });

  it('refuses evidence of another organisation or period', () => {
    const e = evidence();
    e.income = { ...e.income, organisationId: '00000000-0000-4000-8000-000000000000' };
    expect(() => buildConformanceReport(meta, e)).toThrow(/income evidence is for another organisation/);
    const f = evidence();
    f.retention = { ...f.retention, to: '2026-07-01' };
    expect(() => buildConformanceReport(meta, f)).toThrow(/retention evidence/);
  });
});
