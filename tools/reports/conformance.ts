/**
 * The conformance report (issue 16 item 9): per organisation and period, one document (JSON and PDF) that gives,
 * for each of the DIV-it 1.2.2 standard's ten conformance points ("Wanneer voldoe ik aan DIV-it 1.2.2?", seed 001),
 * the evidence the platform holds, and marks the points that are organisational (the platform cannot prove them).
 * The evidence comes from each service's `GET /conformance-evidence` (auditor token); nothing here holds personal
 * data: counts, codes, times, texts' element names and policies with their sources.
 */
import type { ServiceName, ServicePaths } from '@divit/api-clients';

/** The JSON body of a service's 200 answer to GET /conformance-evidence, as its OpenAPI document types it. */
type EvidenceOf<S extends ServiceName> = ServicePaths[S] extends {
  '/conformance-evidence': { get: { responses: { 200: { content: { 'application/json': infer T } } } } };
}
  ? T
  : never;

export type ConsentEvidence = EvidenceOf<'consent'>;
export type IdentityEvidence = EvidenceOf<'identity-validation'>;
export type IncomeEvidence = EvidenceOf<'income-retrieval'>;
export type RetentionEvidence = EvidenceOf<'retention-cleanup'>;
// Fails to compile if a path's type did not resolve (a `never` would accept any property access silently).
export const EVIDENCE_SERVICES: [
  ConsentEvidence['service'],
  IdentityEvidence['service'],
  IncomeEvidence['service'],
  RetentionEvidence['service'],
] = ['consent', 'identity-validation', 'income-retrieval', 'retention-cleanup'];

export interface Evidence {
  consent: ConsentEvidence;
  identity: IdentityEvidence;
  income: IncomeEvidence;
  retention: RetentionEvidence;
}

/** SHOWN: the platform's evidence holds; ATTENTION: it shows a gap; ORGANISATIONAL: outside what software proves. */
export type PointStatus = 'SHOWN' | 'ATTENTION' | 'ORGANISATIONAL' | 'PARTLY_ORGANISATIONAL';

export interface ConformancePoint {
  point: number;
  /** The requirement as the standard states it (Dutch, abridged). */
  requirement: string;
  status: PointStatus;
  /** What the platform holds, as short lines an auditor can check against the figures. */
  evidence: string[];
  /** Why ATTENTION, or what the organisation must show itself. */
  notes: string[];
}

export interface ConformanceReport {
  kind: 'DIV-it conformance report';
  standard: 'DIV-it 1.2.2';
  organisationId: string;
  from: string;
  to: string;
  generatedAt: string;
  points: ConformancePoint[];
  /** The figures each service returned, for the auditor who wants to recount. */
  evidence: Evidence;
}

const sum = (xs: readonly { count: number }[]): number => xs.reduce((n, x) => n + x.count, 0);

/** Builds the report from the services' evidence. Pure: the same evidence gives the same points. */
export function buildConformanceReport(
  meta: { organisationId: string; from: string; to: string; generatedAt: string },
  evidence: Evidence,
): ConformanceReport {
  const { consent, identity, income, retention } = evidence;
  for (const [name, part] of Object.entries(evidence) as [
    string,
    { organisationId: string; from: string; to: string },
  ][])
    if (part.organisationId !== meta.organisationId || part.from !== meta.from || part.to !== meta.to)
      throw new Error(`the ${name} evidence is for another organisation or period`);

  const sessionsOf = (purpose: string, role?: string) =>
    identity.sessions.filter((s) => s.purpose === purpose && (role === undefined || s.subjectRole === role));
  const failed = identity.sessions.filter((s) => s.state === 'FAILED');
  const failureCounts = new Map<string, number>();
  for (const s of failed)
    failureCounts.set(
      s.failureCode ?? 'UNKNOWN',
      (failureCounts.get(s.failureCode ?? 'UNKNOWN') ?? 0) + s.count,
    );
  const erasuresOf = (trigger: string) => retention.erasures.filter((e) => e.trigger === trigger);
  const scans = [
    ['consent', consent.bsnScan],
    ['identity-validation', identity.bsnScan],
    ['income-retrieval', income.bsnScan],
    ['retention-cleanup', retention.bsnScan],
  ] as const;
  const bsnLike = scans.reduce((n, [, s]) => n + s.bsnLikeValues, 0);
  const textsWithProblems = consent.textsInForce.filter((t) => t.problems.length > 0);
  const withdrawalErasures = erasuresOf('CONSENT_WITHDRAWN');
  const failureErasures = erasuresOf('PROCEDURE_FAILED');
  const unacknowledged = (xs: typeof retention.erasures) =>
    xs.reduce((n, e) => n + (e.commands - e.acknowledged), 0);
  const maxSeconds = (xs: typeof retention.erasures) =>
    xs.reduce<number | null>(
      (m, e) => (e.maxSecondsToErasure === null ? m : Math.max(m ?? 0, e.maxSecondsToErasure)),
      null,
    );
  const decisionsBy = income.decisions.map(
    (d) => `${d.outcome}${d.alternativeRouteReason ? ` (${d.alternativeRouteReason})` : ''}: ${d.count}`,
  );

  const points: ConformancePoint[] = [
    {
      point: 1,
      requirement:
        'Alle specificaties van het ministerie van BZK worden gevolgd (artikel 46 Woningwet, aanwijzing, aansluiting Diginetwerk, BV BSN, MijnOverheid/DvMG, gebruiksvoorwaarden).',
      status: 'ORGANISATIONAL',
      evidence: [],
      notes: [
        "Designation as user, connection agreements and the terms of use are the organisation's own; the platform reaches DvMG and BV BSN only through its adapters (simulators in a local stack).",
      ],
    },
    {
      point: 2,
      requirement: 'De vier beschreven processen worden aangeboden op de beschreven wijze.',
      status: 'SHOWN',
      evidence: [
        `process 1, BSN at registration: ${sum(sessionsOf('BSN_AT_REGISTRATION'))} sharing sessions`,
        `process 2, BSN for an existing registration: ${sum(sessionsOf('BSN_FOR_EXISTING_REGISTRATION'))} sharing sessions`,
        `process 3, BSN and income of the home seeker at allocation: ${sum(sessionsOf('BSN_AND_INCOME_AT_ALLOCATION', 'HOME_SEEKER'))} sharing sessions`,
        `process 4, BSN and income of co-residents at allocation: ${sum(sessionsOf('BSN_AND_INCOME_AT_ALLOCATION', 'CO_RESIDENT'))} sharing sessions`,
        `income decisions: ${decisionsBy.join(', ') || 'none'}; undecided open allocations: ${income.undecidedOpenAllocations}`,
        `consent answers: ${consent.answers.map((a) => `${a.purpose}/${a.subjectRole} ${a.answer} ${a.count}`).join(', ') || 'none'}`,
      ],
      notes: [],
    },
    (() => {
      const gaps = [
        ...(retention.overdueErasures
          ? [`${retention.overdueErasures} erasures more than a day overdue`]
          : []),
        ...(income.unusedIncomeAfterEndWithoutLease
          ? [`${income.unusedIncomeAfterEndWithoutLease} unused incomes held after their allocation ended`]
          : []),
        ...(income.statementsPastRetention
          ? [`${income.statementsPastRetention} statements past their retention date`]
          : []),
      ];
      return {
        point: 3,
        requirement:
          'Informatie uit DvMG of BV BSN wordt niet anders gebruikt dan in de vier processen en niet langer bewaard dan nodig.',
        status: gaps.length ? ('ATTENTION' as const) : ('SHOWN' as const),
        evidence: [
          `retention policies in force: ${retention.policies.map((p) => `${p.category} ${p.retention}${p.overridden ? ' (overridden)' : ''}`).join(', ')}`,
          `erasures made due in the period: ${retention.erasures.reduce((n, e) => n + e.commands, 0)}, acknowledged ${retention.erasures.reduce((n, e) => n + e.acknowledged, 0)}; deletion-log proofs ${retention.deletionLogRecords} (${retention.rowsErased} rows)`,
          `overdue erasures ${retention.overdueErasures}; unused income after an allocation ended ${income.unusedIncomeAfterEndWithoutLease}; statements past retention ${income.statementsPastRetention}`,
          'decisions to allocators carry conclusions, not income (schema IncomeDecisionMade)',
        ],
        notes: gaps,
      };
    })(),
    (() => {
      const gaps = [
        ...(identity.failedSessionsStillHoldingCheckData
          ? [`${identity.failedSessionsStillHoldingCheckData} failed sessions still hold check data`]
          : []),
        ...(unacknowledged(failureErasures)
          ? [`${unacknowledged(failureErasures)} erasures after a failure not yet acknowledged`]
          : []),
      ];
      return {
        point: 4,
        requirement: 'Bij uitval wordt de digitale procedure gestaakt.',
        status: gaps.length ? ('ATTENTION' as const) : ('SHOWN' as const),
        evidence: [
          `failed sessions by code: ${[...failureCounts].map(([c, n]) => `${c} ${n}`).join(', ') || 'none'}`,
          `decisions on the alternative route: ${income.decisions.filter((d) => d.outcome === 'ALTERNATIVE_ROUTE_REQUIRED').reduce((n, d) => n + d.count, 0)}`,
          `failed sessions still holding check data: ${identity.failedSessionsStillHoldingCheckData}`,
          `erasures after a failure (PROCEDURE_FAILED): ${failureErasures.reduce((n, e) => n + e.commands, 0)}, acknowledged ${failureErasures.reduce((n, e) => n + e.acknowledged, 0)}, slowest ${maxSeconds(failureErasures) ?? '-'} s`,
        ],
        notes: gaps,
      };
    })(),
    {
      point: 5,
      requirement:
        'Het BSN wordt alleen gehasht opgeslagen; het zuivere BSN alleen binnen één proces en strikt noodzakelijk; bij uitval wordt het BSN altijd verwijderd.',
      status: bsnLike ? 'ATTENTION' : 'SHOWN',
      evidence: [
        `hashed BSNs stored now (keyed HMAC) by key id: ${identity.storedHashes.map((h) => `${h.keyId} ${h.count}`).join(', ') || 'none'}`,
        ...scans.map(
          ([name, s]) =>
            `BSN scan of ${name}'s tables: ${s.columnsScanned} text columns, ${s.bsnLikeValues} values shaped like a BSN${s.columns.length ? ` (${s.columns.join(', ')})` : ''}`,
        ),
        `hashed BSN erasures after a failure or withdrawal: ${[...failureErasures, ...withdrawalErasures].filter((e) => e.category === 'HASHED_BSN').reduce((n, e) => n + e.acknowledged, 0)} acknowledged`,
      ],
      notes: bsnLike ? [`${bsnLike} values shaped like a BSN were found: inspect the columns named`] : [],
    },
    {
      point: 6,
      requirement: 'De vraag om instemming en de toelichting bevatten de minimaal vereiste elementen.',
      status: textsWithProblems.length || consent.answersWithoutProofOfShowing ? 'ATTENTION' : 'SHOWN',
      evidence: [
        `required elements: ${consent.requiredElements.join(', ')}`,
        ...consent.textsInForce.map(
          (t) =>
            `text ${t.purpose}/${t.audience}/${t.language} v${t.version} (${t.versionHash.slice(0, 12)}…), published ${t.publishedAt.slice(0, 10)}: ${t.problems.length ? t.problems.map((p) => `${p.element} ${p.reason}`).join('; ') : 'all elements present'}`,
        ),
        `answers without proof of showing the same version: ${consent.answersWithoutProofOfShowing}`,
      ],
      notes: textsWithProblems.map(
        (t) =>
          `text ${t.purpose}/${t.audience} v${t.version} lacks ${t.problems.map((p) => p.element).join(', ')}: publish a new version`,
      ),
    },
    {
      point: 7,
      requirement: 'Het intrekken van instemming wordt op de beschreven wijze verwerkt.',
      status: unacknowledged(withdrawalErasures) ? 'ATTENTION' : 'SHOWN',
      evidence: [
        `withdrawals in the period: ${consent.withdrawals.map((w) => `${w.purpose}/${w.subjectRole} ${w.count}`).join(', ') || 'none'}`,
        ...withdrawalErasures.map(
          (e) =>
            `after a withdrawal, ${e.category}: ${e.commands} erasure commands, ${e.acknowledged} acknowledged, median ${e.medianSecondsToErasure ?? '-'} s, slowest ${e.maxSecondsToErasure ?? '-'} s`,
        ),
      ],
      notes: unacknowledged(withdrawalErasures)
        ? [`${unacknowledged(withdrawalErasures)} erasures after a withdrawal not yet acknowledged`]
        : [],
    },
    {
      point: 8,
      requirement:
        'Met de softwareleverancier is geborgd dat voor livegang een passende ISAE-verklaring aanwezig is.',
      status: 'ORGANISATIONAL',
      evidence: [],
      notes: [
        'An assurance report (ISAE 3000/3402) is a contract matter between the organisation and its supplier.',
      ],
    },
    {
      point: 9,
      requirement:
        'AVG-rolverdeling, privacydocumenten, beveiligingsmaatregelen, bewaartermijnen en grondslagen zijn ingericht zoals beschreven.',
      status: 'PARTLY_ORGANISATIONAL',
      evidence: retention.policies.map(
        (p) => `${p.category}: ${p.retention}${p.assumption ? ' [assumption]' : ''}: ${p.source}`,
      ),
      notes: [
        "The retention periods in force are shown with their sources; role allocation, privacy documents, security measures and legal bases are the organisation's documents.",
      ],
    },
    {
      point: 10,
      requirement: 'Er is een DPIA uitgevoerd met behulp van de model-DPIA.',
      status: 'ORGANISATIONAL',
      evidence: [],
      notes: ["The DPIA is the organisation's document."],
    },
  ];
  return {
    kind: 'DIV-it conformance report',
    standard: 'DIV-it 1.2.2',
    ...meta,
    points,
    evidence,
  };
}
