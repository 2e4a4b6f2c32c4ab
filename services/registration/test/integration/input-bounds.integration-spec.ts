import { randomUUID } from 'node:crypto';
import { decisionAnswers, fieldsOf, RegistrationTestApp } from './support';

/** Issue 13, items 5 and 6: out-of-range dates and unprocessable values get a 4xx problem document, never a 5xx. */
describe('registration: input bounds (real PostgreSQL, Kafka, registry)', () => {
  const t = new RegistrationTestApp();
  let operator = '';
  let system = '';
  let org = '';
  let allocator = '';
  let member = '';

  beforeAll(async () => {
    await t.start();
    operator = t.platformOperator();
    const register = async (name: string, answers: object) => {
      const res = await t.call('POST', '/organisations', operator, {
        name,
        answers,
        effectiveFrom: '2024-01-01',
      });
      expect(res.status).toBe(201);
      return String(res.json.organisationId);
    };
    org = await register(`Corporatie ${t.prefix}`, decisionAnswers.routeA);
    allocator = await register(`Verdeler ${t.prefix}`, decisionAnswers.routeB);
    member = await register(`Lid ${t.prefix}`, decisionAnswers.routeA);
    expect(
      (
        await t.call('POST', `/organisations/${allocator}/memberships`, operator, {
          memberOrganisationId: member,
          validFrom: '2024-01-01',
        })
      ).status,
    ).toBe(201);
    system = t.token(org, ['allocation-system']);
  }, 120_000);
  afterAll(() => t.stop());

  const seeker = { surname: 'Jansen', birthDate: '1990-05-17', registrationDate: '2024-03-14' };
  const allocation = () => ({
    registrationId: randomUUID(),
    dwellingReference: 'VHE-1',
    lettingCorporationId: org,
    monthlyRentCents: 70000,
    leaseStartDate: '2026-03-01',
    coResidents: [{ surname: 'Jansen', birthDate: '1992-01-01' }],
  });
  const ZERO = '0000-01-01';

  // [name, method, path (a function: ids exist only after beforeAll), body, token kind, expected field]
  const cases: [string, string, () => string, (() => object) | undefined, 'operator' | 'system', string][] = [
    [
      'registration birthDate',
      'POST',
      () => '/registrations',
      () => ({ ...seeker, birthDate: ZERO }),
      'system',
      'birthDate',
    ],
    [
      'registration registrationDate',
      'POST',
      () => '/registrations',
      () => ({ ...seeker, registrationDate: ZERO }),
      'system',
      'registrationDate',
    ],
    [
      'registration household birthDate',
      'POST',
      () => '/registrations',
      () => ({ ...seeker, household: [{ relation: 'PARTNER', surname: 'Jansen', birthDate: ZERO }] }),
      'system',
      'household.0.birthDate',
    ],
    [
      'registration update birthDate',
      'PATCH',
      () => `/registrations/${randomUUID()}`,
      () => ({ birthDate: ZERO }),
      'system',
      'birthDate',
    ],
    [
      'allocation leaseStartDate',
      'POST',
      () => '/allocations',
      () => ({ ...allocation(), leaseStartDate: ZERO }),
      'system',
      'leaseStartDate',
    ],
    [
      'allocation co-resident birthDate',
      'POST',
      () => '/allocations',
      () => ({ ...allocation(), coResidents: [{ surname: 'Jansen', birthDate: ZERO }] }),
      'system',
      'coResidents.0.birthDate',
    ],
    [
      'organisation effectiveFrom',
      'POST',
      () => '/organisations',
      () => ({ name: 'Nul', answers: decisionAnswers.routeA, effectiveFrom: ZERO }),
      'operator',
      'effectiveFrom',
    ],
    [
      'route change effectiveFrom',
      'POST',
      () => `/organisations/${org}/route-changes`,
      () => ({ route: 'A', effectiveFrom: ZERO }),
      'operator',
      'effectiveFrom',
    ],
    [
      'membership validFrom',
      'POST',
      () => `/organisations/${allocator}/memberships`,
      () => ({ memberOrganisationId: member, validFrom: ZERO }),
      'operator',
      'validFrom',
    ],
    [
      'membership validTo',
      'POST',
      () => `/organisations/${allocator}/memberships`,
      () => ({ memberOrganisationId: member, validFrom: '2024-01-01', validTo: ZERO }),
      'operator',
      'validTo',
    ],
    [
      'membership end validTo',
      'POST',
      () => `/organisations/${allocator}/memberships/${randomUUID()}/end`,
      () => ({ validTo: ZERO }),
      'operator',
      'validTo',
    ],
    [
      'housing stock effectiveFrom',
      'POST',
      () => `/organisations/${allocator}/housing-stock`,
      () => ({ memberOrganisationId: member, dwellings: 10, effectiveFrom: ZERO }),
      'operator',
      'effectiveFrom',
    ],
    ['route ?at', 'GET', () => `/organisations/${org}/route?at=${ZERO}`, undefined, 'operator', 'at'],
    [
      'memberships ?at',
      'GET',
      () => `/organisations/${allocator}/memberships?at=${ZERO}`,
      undefined,
      'operator',
      'at',
    ],
    [
      'housing stock ?at',
      'GET',
      () => `/organisations/${allocator}/housing-stock?at=${ZERO}`,
      undefined,
      'operator',
      'at',
    ],
  ];

  it.each(cases)(
    '%s = 0000-01-01 answers 400 problem+json naming the field',
    async (_n, method, path, body, who, field) => {
      const res = await t.call(method, path(), who === 'operator' ? operator : system, body?.());
      expect(res.status).toBe(400);
      expect(res.type).toContain('application/problem+json');
      expect(fieldsOf(res)).toContain(field);
    },
  );

  it.each([['9999-01-01'], ['2023-12-31']])(
    'refuses a lease start of %s (400), which could never be decided',
    async (leaseStartDate) => {
      const res = await t.call('POST', '/allocations', system, { ...allocation(), leaseStartDate });
      expect(res.status).toBe(400);
      expect(fieldsOf(res)).toEqual(['leaseStartDate']);
      expect(await t.count('allocations')).toBe(0);
    },
  );

  it('refuses a registration date before the birth date (400), and a birth date changed to after it (422)', async () => {
    const before = await t.call('POST', '/registrations', system, {
      ...seeker,
      registrationDate: '1990-05-16',
    });
    expect(before.status).toBe(400);
    expect(fieldsOf(before)).toEqual(['registrationDate']);
    const created = await t.call('POST', '/registrations', system, {
      ...seeker,
      registrationDate: '2005-01-01',
    });
    expect(created.status).toBe(201);
    const changed = await t.call('PATCH', `/registrations/${String(created.json.registrationId)}`, system, {
      birthDate: '2006-01-01',
    });
    expect(changed.status).toBe(422);
    expect(changed.json).toMatchObject({ code: 'REGISTRATION_DATE_BEFORE_BIRTH' });
  });

  it('refuses an organisation name with a control character (400)', async () => {
    const res = await t.call('POST', '/organisations', operator, {
      name: 'Woon\u0000stichting',
      answers: decisionAnswers.routeA,
      effectiveFrom: '2024-01-01',
    });
    expect(res.status).toBe(400);
    expect(fieldsOf(res)).toEqual(['name']);
  });

  const dossierHeader =
    'source_system,dossier_number,surname_prefix,surname,birth_date,gender_marker,postcode,house_number,house_number_addition,email,phone,registration_date,organisation_id';
  const importCsv = (csv: string, source: string) =>
    t.raw('POST', `/dossier-imports?mode=full&source=${source}`, {
      headers: { authorization: `Bearer ${operator}`, 'content-type': 'text/csv' },
      body: csv,
    });

  it('rejects a dossier row with a NUL byte (a row rejection, not a 5xx)', async () => {
    const csv = [
      dossierHeader,
      `nul,N1,,Jan\u0000sen,1980-04-01,,1234 AB,12,,,,2015-03-01,${org}`,
      `nul,N2\u0000,,Jansen,1980-04-01,,1234 AB,12,,,,2015-03-01,${org}`,
      `nul,N3,,Jansen,1980-04-01,,1234 AB,12,,,,2015-03-01,${org}`,
    ].join('\n');
    const res = await importCsv(csv, 'nul');
    expect(res.status).toBe(201);
    const body = JSON.parse(res.body.toString('utf8')) as { loadId: string; counts: Record<string, number> };
    expect(body.counts).toMatchObject({ rowsRead: 3, rowsRejected: 2, dossiersNew: 1 });
    const rejects = await t.query<{ line_number: number; reasons: string }>(
      `SELECT line_number, reasons FROM dossier_import_rejects WHERE load_id = $1 ORDER BY line_number`,
      [body.loadId],
    );
    expect(rejects).toEqual([
      { line_number: 2, reasons: 'surname: contains control characters' },
      { line_number: 3, reasons: 'dossier_number: contains control characters' },
    ]);
  });

  it('stores at most 10 000 rejected rows of a load with their detail and counts the rest', async () => {
    const rows = [dossierHeader];
    for (let i = 0; i < 10_050; i++)
      rows.push(`many,M${i},,Jansen,1980-02-30,,1234 AB,12,,,,2015-03-01,${org}`);
    const res = await importCsv(rows.join('\n'), 'many');
    expect(res.status).toBe(201);
    const body = JSON.parse(res.body.toString('utf8')) as { loadId: string; counts: Record<string, number> };
    expect(body.counts).toMatchObject({ rowsRead: 10_050, rowsRejected: 10_050, rejectsStored: 10_000 });
    const stored = await t.query<{ n: number; last: number }>(
      `SELECT count(*)::int AS n, max(line_number) AS last FROM dossier_import_rejects WHERE load_id = $1`,
      [body.loadId],
    );
    expect(stored).toEqual([{ n: 10_000, last: 10_001 }]);
  }, 60_000);
});
