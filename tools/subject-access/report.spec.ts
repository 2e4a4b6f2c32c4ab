import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { SUBJECT_ACCESS_SERVICES, SubjectAccessSection, SubjectAccessService } from '@divit/service-kit';
import { pdfText } from '@divit/testing';
import type { Clients } from '../demo/lib';
import { allocationIdsOf, collectSections } from './collect';
import { assembleReport, renderReportPdf, SubjectAccessReportError, writeReport } from './report';

const registrationId = randomUUID();
const organisationId = randomUUID();
/** A fictional elfproef-valid test BSN (the simulator's test persons). */
const TEST_BSN = '999990019';

const section = (
  service: SubjectAccessService,
  records: Record<string, unknown>[] = [],
): SubjectAccessSection => ({
  service,
  registrationId,
  generatedAt: new Date().toISOString(),
  categories: [{ category: 'things', description: `What ${service} holds.`, records }],
});
const allSections = () =>
  Object.fromEntries(SUBJECT_ACCESS_SERVICES.map((s) => [s, section(s)])) as Record<
    SubjectAccessService,
    SubjectAccessSection
  >;

describe('subject-access report assembly', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sar-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('assembles the six sections in order and writes JSON and a readable PDF', async () => {
    const sections = allSections();
    sections.registration = section('registration', [{ surname: 'Testhuizen', birthDate: '1990-04-12' }]);
    const report = assembleReport({ registrationId, organisationId, sections });
    expect(report.sections.map((s) => s.service)).toEqual([...SUBJECT_ACCESS_SERVICES]);
    const written = await writeReport(report, dir);
    expect(JSON.parse(readFileSync(written.json, 'utf8'))).toEqual(report);
    const text = pdfText(readFileSync(written.pdf));
    expect(text).toContain('DIV-it subject-access report');
    expect(text).toContain('Service: identity-validation');
    expect(text).toContain('surname: Testhuizen');
  });

  it('refuses a report with a missing section, naming the service', () => {
    const { 'billing-reconciliation': _billing, ...five } = allSections();
    expect(() => assembleReport({ registrationId, organisationId, sections: five })).toThrow(
      new SubjectAccessReportError('no section from billing-reconciliation: a partial report is not written'),
    );
  });

  it("refuses a malformed section and another registration's section", () => {
    const malformed = { ...allSections(), consent: { service: 'consent' } };
    expect(() => assembleReport({ registrationId, organisationId, sections: malformed })).toThrow(
      /section of consent is not a subject-access section/,
    );
    const other = { ...allSections(), consent: { ...section('consent'), registrationId: randomUUID() } };
    expect(() => assembleReport({ registrationId, organisationId, sections: other })).toThrow(
      /not [0-9a-f-]{36}/,
    );
  });

  it('writes nothing when the output holds something that looks like a BSN (plain or separated)', async () => {
    for (const value of [TEST_BSN, '9999 90 019', '999.990.019']) {
      const sections = { ...allSections(), consent: section('consent', [{ note: `number ${value}` }]) };
      const report = assembleReport({ registrationId, organisationId, sections });
      await expect(writeReport(report, dir)).rejects.toThrow(/looks like it holds a BSN.*\*{6}019/);
      expect(readdirSync(dir)).toEqual([]);
    }
  });

  it('with known BSNs, refuses their other encodings too (base64), and lets ordinary numbers pass', async () => {
    const encoded = Buffer.from(TEST_BSN).toString('base64');
    const sections = { ...allSections(), consent: section('consent', [{ note: encoded }]) };
    const report = assembleReport({ registrationId, organisationId, sections });
    await expect(writeReport(report, dir)).resolves.toBeDefined(); // not BSN-shaped: the generic scan passes
    rmSync(dir, { recursive: true, force: true });
    await expect(writeReport(report, dir, [TEST_BSN])).rejects.toThrow(/BSN \*{6}019 \(base64@0\)/);
    expect(existsSync(dir)).toBe(false);
    const plain = assembleReport({
      registrationId,
      organisationId,
      sections: {
        ...allSections(),
        'income-retrieval': section('income-retrieval', [{ incomeCents: 123456789 }]),
      },
    });
    // 123456789 fails the eleven-test: an amount, not a BSN.
    await expect(renderReportPdf(plain)).resolves.toBeInstanceOf(Buffer);
    await expect(writeReport(plain, dir)).resolves.toBeDefined();
  });
});

describe('subject-access collection', () => {
  const ok = (service: SubjectAccessService, records: Record<string, unknown>[] = []) =>
    Promise.resolve({ data: section(service, records), response: new Response(null, { status: 200 }) });

  function clients(
    answers: Partial<Record<SubjectAccessService, () => Promise<unknown>>>,
    calls: unknown[] = [],
  ): Clients {
    const client = (service: SubjectAccessService) => ({
      GET: (_path: string, init: unknown) => {
        calls.push({ service, init });
        return (answers[service] ?? (() => ok(service)))();
      },
    });
    return Object.fromEntries(SUBJECT_ACCESS_SERVICES.map((s) => [s, client(s)])) as unknown as Clients;
  }

  it("asks billing about the registration's allocations as registration lists them", async () => {
    const allocationId = randomUUID();
    const calls: { service: string; init: unknown }[] = [];
    const registration = {
      ...section('registration'),
      categories: [{ category: 'allocations', description: 'Allocations.', records: [{ allocationId }] }],
    };
    expect(allocationIdsOf(registration)).toEqual([allocationId]);
    const sections = await collectSections(
      clients(
        {
          registration: () =>
            Promise.resolve({ data: registration, response: new Response(null, { status: 200 }) }),
        },
        calls,
      ),
      registrationId,
    );
    expect(Object.keys(sections).sort()).toEqual([...SUBJECT_ACCESS_SERVICES].sort());
    expect(calls.find((c) => c.service === 'billing-reconciliation')?.init).toEqual({
      params: { path: { registrationId }, query: { allocationIds: allocationId } },
    });
  });

  it('fails loudly, naming the service, when one does not answer or answers an error', async () => {
    await expect(
      collectSections(
        clients({ 'income-retrieval': () => Promise.reject(new TypeError('fetch failed')) }),
        registrationId,
      ),
    ).rejects.toThrow('income-retrieval did not answer the subject-access request (fetch failed)');
    await expect(
      collectSections(
        clients({
          'retention-cleanup': () =>
            Promise.resolve({
              error: { code: 'SUBJECT_ACCESS_NOT_FOUND' },
              response: new Response(null, { status: 404 }),
            }),
        }),
        registrationId,
      ),
    ).rejects.toThrow(
      'retention-cleanup did not answer the subject-access request (HTTP 404 SUBJECT_ACCESS_NOT_FOUND)',
    );
  });
});
