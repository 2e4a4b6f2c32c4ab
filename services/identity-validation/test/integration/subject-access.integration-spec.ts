import { randomUUID } from 'node:crypto';
import { subjectAccessSectionView } from '@divit/service-kit';
import { findBsnShapes, scanForBsnLeaks } from '@divit/testing';
import { IdentityValidationTestApp } from './support';
import { PlayedServices } from './flows';

/** A fictional test person of the simulator (elfproef-valid 99999xxxx test BSN). */
const FENNA = {
  bsn: '999990019',
  surname: 'Testhuizen',
  birthDate: '1990-04-12',
  gender: 'V',
  postcode: '1234 AB',
  houseNumber: 10,
};

describe('identity-validation: subject-access section (real stack, two tenants)', () => {
  const app = new IdentityValidationTestApp();
  const ORG = randomUUID();
  const OTHER = randomUUID();
  const played = new PlayedServices(app, ORG, randomUUID());
  beforeAll(async () => {
    await app.start();
    await app.publishReceiptKey();
  }, 120_000);
  afterAll(() => app.stop());

  it('reports the stored hash by key id and dates only, the session and usage; 404 to another tenant, 403 without the role', async () => {
    const system = app.token(ORG, ['allocation-system']);
    const reg = await played.registrationConsent('BSN_AT_REGISTRATION', FENNA);
    const started = await app.call('POST', '/sharing-sessions', system, {
      receipt: reg.receipt,
      purpose: reg.purpose,
    });
    expect(started.status).toBe(201);
    const sessionId = String(started.json.sessionId);
    const shared = await app.simulator('POST', `/simulators/dvmg/sessions/${sessionId}/script`, {
      action: 'SHARE',
      testPersonBsn: FENNA.bsn,
    });
    expect(shared.status).toBe(200);
    const confirmed = await app.call('POST', `/sharing-sessions/${sessionId}/confirmation`, system, {
      agrees: true,
    });
    expect(confirmed.status).toBe(200);
    await app.until(`SELECT 1 FROM bsn_hashes WHERE registration_id = $1`, [reg.registrationId]);
    const [stored] = await app.query<{ hash: string }>(
      `SELECT hash FROM bsn_hashes WHERE registration_id = $1`,
      [reg.registrationId],
    );

    const path = `/subject-access/${reg.registrationId}`;
    for (const role of ['admin', 'auditor'] as const) {
      const foreign = await app.call('GET', path, app.token(OTHER, [role]));
      expect(foreign.status).toBe(404);
      expect(foreign.json.code).toBe('SUBJECT_ACCESS_NOT_FOUND');
      expect(foreign.text).not.toContain(sessionId);
    }
    expect((await app.call('GET', path, system)).status).toBe(403);
    expect((await app.call('GET', `/subject-access/${randomUUID()}`, app.token(ORG, ['admin']))).status).toBe(
      404,
    );

    const read = await app.call('GET', path, app.token(ORG, ['auditor']));
    expect(read.status).toBe(200);
    const section = subjectAccessSectionView.parse(read.json);
    expect(section).toMatchObject({ service: 'identity-validation', registrationId: reg.registrationId });
    const byCategory = new Map(section.categories.map((c) => [c.category, c.records]));
    expect([...byCategory.keys()]).toEqual([
      'bsn-hash',
      'validated-identity',
      'sharing-sessions',
      'identity-check-requests',
      'consents',
      'allocations',
      'co-resident-identities',
      'usage-records',
      'access-log-summary',
    ]);
    const hashRows = byCategory.get('bsn-hash') ?? [];
    expect(hashRows).toEqual([expect.objectContaining({ hashStored: true, keyId: 'k1', rehashedAt: null })]);
    expect(hashRows[0]?.storedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(Object.keys(hashRows[0] ?? {}).sort()).toEqual(
      ['consentId', 'hashStored', 'keyId', 'registrationId', 'rehashedAt', 'storedAt'].sort(),
    );
    expect(byCategory.get('validated-identity')).toEqual([
      expect.objectContaining({ surname: FENNA.surname, birthDate: FENNA.birthDate }),
    ]);
    expect(byCategory.get('sharing-sessions')).toEqual([
      expect.objectContaining({ sessionId, purpose: 'BSN_AT_REGISTRATION', state: 'VALIDATED' }),
    ]);
    expect(byCategory.get('usage-records')?.length).toBeGreaterThan(0);

    // Neither the BSN (in any encoding) nor the hash value.
    expect(stored?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(read.text).not.toContain(stored!.hash);
    expect(findBsnShapes(read.text)).toEqual([]);
    expect(await scanForBsnLeaks({ bsns: [FENNA.bsn], logs: [read.text] })).toEqual([]);

    // The platform operator reads no personal data (ADR 0014).
    expect((await app.call('GET', path, app.platformOperator())).status).toBe(403);
    const logged = await app.query<{ purpose: string }>(
      `SELECT purpose FROM access_log_entries WHERE registration_id = $1 AND action = 'SUBJECT_ACCESS_EXPORTED'`,
      [reg.registrationId],
    );
    expect(logged.map((r) => r.purpose)).toEqual(['SUBJECT_ACCESS']);
  });
});
