import { randomUUID } from 'node:crypto';
import { subjectAccessSectionView } from '@divit/service-kit';
import { findBsnShapes } from '@divit/testing';
import { ConsentTestApp } from './support';

describe('consent: subject-access section (real stack, two tenants)', () => {
  const t = new ConsentTestApp();
  beforeAll(() => t.start());
  afterAll(() => t.stop());

  it("answers the registration's organisation, 404 to another tenant, 403 without the role (the platform operator too)", async () => {
    const org = await t.organisationWithRouteA('Woonstichting Inzage');
    const other = await t.organisationWithRouteA('Woonstichting Elders');
    const registrationId = await t.knownRegistration(org);
    const text = await t.publishedText(org);
    const { showingId } = await t.show(org, { textId: text.id, registrationId, subjectRole: 'HOME_SEEKER' });
    const granted = await t.call('POST', '/consents', t.system(org), { showingId, answer: 'GRANTED' });
    expect(granted.status).toBe(201);
    const withdrawn = await t.call(
      'POST',
      `/consents/${String(granted.json.consentId)}/withdrawal`,
      t.system(org),
    );
    expect(withdrawn.status).toBe(200);

    const path = `/subject-access/${registrationId}`;
    for (const token of [t.admin(other), t.auditor(other)]) {
      const foreign = await t.call('GET', path, token);
      expect(foreign.status).toBe(404);
      expect(foreign.json.code).toBe('SUBJECT_ACCESS_NOT_FOUND');
      expect(foreign.text).not.toContain(showingId);
    }
    expect((await t.call('GET', path, t.system(org))).status).toBe(403);
    expect((await t.call('GET', `/subject-access/${randomUUID()}`, t.admin(org))).status).toBe(404);

    const read = await t.call('GET', path, t.auditor(org));
    expect(read.status).toBe(200);
    const section = subjectAccessSectionView.parse(read.json);
    expect(section).toMatchObject({ service: 'consent', registrationId });
    const byCategory = new Map(section.categories.map((c) => [c.category, c.records]));
    expect([...byCategory.keys()]).toEqual([
      'registration',
      'showings',
      'consents',
      'withdrawals',
      'access-log-summary',
    ]);
    expect(byCategory.get('showings')).toEqual([
      expect.objectContaining({ showingId, purpose: 'BSN_AT_REGISTRATION' }),
    ]);
    expect(byCategory.get('consents')).toEqual([
      expect.objectContaining({ consentId: granted.json.consentId, answer: 'GRANTED' }),
    ]);
    const withdrawals = byCategory.get('withdrawals') ?? [];
    expect(withdrawals.map((r) => r.consentId)).toEqual([granted.json.consentId]);
    expect(withdrawals[0]?.withdrawnAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(findBsnShapes(read.text)).toEqual([]);

    const admin = await t.call('GET', path, t.admin(org));
    expect(admin.status).toBe(200);
    // The platform operator reads no personal data (ADR 0014).
    expect((await t.call('GET', path, t.platformOperator())).status).toBe(403);
    const summary = subjectAccessSectionView
      .parse(admin.json)
      .categories.find((c) => c.category === 'access-log-summary');
    expect(summary?.records).toEqual(
      expect.arrayContaining([expect.objectContaining({ action: 'SUBJECT_ACCESS_EXPORTED', count: 1 })]),
    );
    const logged = await t.query<{ purpose: string }>(
      `SELECT purpose FROM access_log_entries WHERE registration_id = $1 AND action = 'SUBJECT_ACCESS_EXPORTED'`,
      [registrationId],
    );
    expect(logged).toHaveLength(2);
    expect(logged.every((r) => r.purpose === 'SUBJECT_ACCESS')).toBe(true);
  });
});
