import { randomUUID } from 'node:crypto';
import { subjectAccessSectionView } from '@divit/service-kit';
import { findBsnShapes } from '@divit/testing';
import { decisionAnswers, RegistrationTestApp } from './support';

describe('registration: subject-access section (real stack, two tenants)', () => {
  const t = new RegistrationTestApp();
  beforeAll(() => t.start());
  afterAll(() => t.stop());

  it('holds the registration, household and allocation for its organisation and its coordinator, not the operator; another tenant gets 404, a role without rights 403', async () => {
    const operator = t.platformOperator();
    const register = async (name: string, answers: object) => {
      const res = await t.call('POST', '/organisations', operator, {
        name,
        answers,
        effectiveFrom: '2025-01-01',
      });
      expect(res.status).toBe(201);
      return String(res.json.organisationId);
    };
    const allocator = await register('Woonruimteverdeler Inzage', decisionAnswers.routeB);
    const corp = await register('Woonstichting Inzage', decisionAnswers.routeA);
    const other = await register('Woonstichting Elders', decisionAnswers.routeA);
    const member = await t.call('POST', `/organisations/${allocator}/memberships`, operator, {
      memberOrganisationId: corp,
      validFrom: '2025-01-01',
    });
    expect(member.status).toBe(201);

    const system = t.token(corp, ['allocation-system'], 'system-corp');
    const created = await t.call('POST', '/registrations', system, {
      organisationId: corp,
      surname: 'Inzagevrouw',
      birthDate: '1980-02-02',
      registrationDate: '2020-01-01',
      household: [{ relation: 'PARTNER', surname: 'Inzageman', birthDate: '1981-03-03' }],
    });
    expect(created.status).toBe(201);
    const registrationId = String(created.json.registrationId);
    const allocation = await t.call('POST', '/allocations', system, {
      registrationId,
      dwellingReference: 'VHE-INZAGE',
      lettingCorporationId: corp,
      monthlyRentCents: 70000,
      leaseStartDate: '2026-03-01',
      coResidents: [{ surname: 'Inzageman', birthDate: '1981-03-03' }],
    });
    expect(allocation.status).toBe(201);

    const path = `/subject-access/${registrationId}`;
    for (const role of ['admin', 'auditor'] as const) {
      const foreign = await t.call('GET', path, t.token(other, [role], `${role}-other`));
      expect(foreign.status).toBe(404);
      expect(foreign.json.code).toBe('SUBJECT_ACCESS_NOT_FOUND');
      expect(foreign.text).not.toContain('Inzagevrouw');
    }
    expect((await t.call('GET', path, system)).status).toBe(403);
    expect((await t.call('GET', `/subject-access/${randomUUID()}`, t.token(corp, ['admin']))).status).toBe(
      404,
    );

    const read = await t.call('GET', path, t.token(corp, ['auditor'], 'auditor-corp'));
    expect(read.status).toBe(200);
    const section = subjectAccessSectionView.parse(read.json);
    expect(section).toMatchObject({ service: 'registration', registrationId });
    const byCategory = new Map(section.categories.map((c) => [c.category, c.records]));
    expect([...byCategory.keys()]).toEqual([
      'registration',
      'household-members',
      'allocations',
      'allocation-members',
      'dossier-concordance',
      'erased-registration',
      'access-log-summary',
    ]);
    expect(byCategory.get('registration')).toEqual([
      expect.objectContaining({ registrationId, surname: 'Inzagevrouw', birthDate: '1980-02-02' }),
    ]);
    expect(byCategory.get('household-members')).toEqual([
      expect.objectContaining({ relation: 'PARTNER', surname: 'Inzageman' }),
    ]);
    expect(byCategory.get('allocations')).toEqual([
      expect.objectContaining({
        allocationId: allocation.json.allocationId,
        dwellingReference: 'VHE-INZAGE',
      }),
    ]);
    expect(byCategory.get('allocation-members')).toEqual([
      expect.objectContaining({ role: 'HOME_SEEKER', position: 0 }),
      expect.objectContaining({ role: 'CO_RESIDENT', surname: 'Inzageman', birthDate: '1981-03-03' }),
    ]);
    expect(findBsnShapes(read.text)).toEqual([]);

    // The route B allocator coordinates its member corporation; the platform operator reads none (ADR 0014).
    expect((await t.call('GET', path, t.token(allocator, ['admin'], 'admin-allocator'))).status).toBe(200);
    expect((await t.call('GET', path, operator)).status).toBe(403); // no personal data for the operator (ADR 0014)
    const logged = await t.query<{ purpose: string }>(
      `SELECT purpose FROM access_log_entries WHERE registration_id = $1 AND action = 'SUBJECT_ACCESS_EXPORTED'`,
      [registrationId],
    );
    expect(logged.map((r) => r.purpose)).toEqual(['SUBJECT_ACCESS', 'SUBJECT_ACCESS']);
  });
});
