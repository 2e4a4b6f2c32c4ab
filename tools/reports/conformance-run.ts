import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Clients } from '../demo/lib';
import { buildConformanceReport, ConformanceReport, Evidence } from './conformance';
import { renderConformancePdf } from './conformance-pdf';

interface Answer {
  data?: unknown;
  error?: unknown;
  response: Response;
}

function ok<T>(service: string, answer: Answer): T {
  if (answer.response.status !== 200 || answer.data === undefined)
    throw new Error(
      `${service} GET /conformance-evidence answered HTTP ${answer.response.status}: ${JSON.stringify(answer.error ?? null).slice(0, 300)}`,
    );
  return answer.data as T;
}

/** Asks the four services that hold evidence, as the given (auditor) clients; any failure fails the whole report. */
export async function collectConformanceReport(
  clients: Clients,
  q: { organisationId: string; from: string; to: string },
): Promise<ConformanceReport> {
  const params = { params: { query: q } };
  const [consent, identity, income, retention] = await Promise.all([
    clients.consent.GET('/conformance-evidence', params),
    clients['identity-validation'].GET('/conformance-evidence', params),
    clients['income-retrieval'].GET('/conformance-evidence', params),
    clients['retention-cleanup'].GET('/conformance-evidence', params),
  ]);
  const evidence: Evidence = {
    consent: ok('consent', consent),
    identity: ok('identity-validation', identity),
    income: ok('income-retrieval', income),
    retention: ok('retention-cleanup', retention),
  };
  return buildConformanceReport({ ...q, generatedAt: new Date().toISOString() }, evidence);
}

/** Writes the report as JSON and PDF into `dir`; returns the two paths. */
export async function writeConformanceReport(
  report: ConformanceReport,
  dir: string,
  baseName = `conformance-${report.organisationId.slice(0, 8)}-${report.from}-${report.to}`,
): Promise<string[]> {
  const json = path.join(dir, `${baseName}.json`);
  const pdf = path.join(dir, `${baseName}.pdf`);
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(pdf, await renderConformancePdf(report));
  return [json, pdf];
}
