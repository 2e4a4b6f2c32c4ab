import { randomUUID } from 'node:crypto';
import { IdentityValidationTestApp } from './support';
import { PlayedServices } from './flows';

/** Fictional simulator test persons (elfproef-valid 99999xxxx test BSNs). */
const ANNA = {
  bsn: '999990019',
  surname: 'Testhuizen',
  birthDate: '1990-04-12',
  gender: 'V',
  postcode: '1234 AB',
  houseNumber: 10,
};
const BRAM = {
  bsn: '999990032',
  surname: 'Simulatorsma',
  birthDate: '1985-11-03',
  gender: 'M',
  postcode: '9711AA',
  houseNumber: 5,
};

/** GET /conformance-evidence (issue 16 item 9): counts per process and outcome, hashes by key id, a BSN scan. */
describe('identity-validation: conformance evidence (real stack)', () => {
  const app = new IdentityValidationTestApp();
  const ORG = randomUUID();
  const played = new PlayedServices(app, ORG, randomUUID());
  let system = '';
  const today = new Date().toISOString().slice(0, 10);
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const query = (org: string, from = today, to = tomorrow) =>
    `/conformance-evidence?organisationId=${org}&from=${from}&to=${to}`;

  beforeAll(async () => {
    await app.start();
    system = app.token(ORG, ['allocation-system']);
    await app.publishReceiptKey();
  }, 120_000);
  afterAll(() => app.stop());

  async function session(reg: { receipt: string; purpose: string }, action: string, bsn?: string) {
    const started = await app.call('POST', '/sharing-sessions', system, {
      receipt: reg.receipt,
      purpose: reg.purpose,
    });
    expect(started.status).toBe(201);
    const id = String(started.json.sessionId);
    const played = await app.simulator('POST', `/simulators/dvmg/sessions/${id}/script`, {
      action,
      ...(bsn ? { testPersonBsn: bsn } : {}),
    });
    expect(played.status).toBe(200);
    return id;
  }

  it('counts sessions by process and outcome, stored hashes by key id, usage; finds no BSN-shaped value', async () => {
    const validated = await played.registrationConsent('BSN_AT_REGISTRATION', ANNA);
    const id = await session(validated, 'SHARE', ANNA.bsn);
    expect(
      (await app.call('POST', `/sharing-sessions/${id}/confirmation`, system, { agrees: true })).status,
    ).toBe(200);
    await app.until(`SELECT 1 FROM bsn_hashes WHERE registration_id = $1`, [validated.registrationId]);
    const aborted = await played.registrationConsent('BSN_AT_REGISTRATION', BRAM);
    await session(aborted, 'ABORT_AFTER_LOGIN', BRAM.bsn);

    const res = await app.call('GET', query(ORG), app.token(ORG, ['auditor']));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      service: 'identity-validation',
      organisationId: ORG,
      from: today,
      to: tomorrow,
      storedHashes: [{ count: 1 }],
      failedSessionsStillHoldingCheckData: 0,
      bsnScan: { bsnLikeValues: 0, columns: [] },
    });
    expect((res.json.storedHashes as { keyId: string }[])[0]!.keyId.length).toBeGreaterThan(0);
    expect(res.json.sessions).toEqual(
      expect.arrayContaining([
        {
          purpose: 'BSN_AT_REGISTRATION',
          subjectRole: 'HOME_SEEKER',
          state: 'VALIDATED',
          failureCode: null,
          count: 1,
        },
        {
          purpose: 'BSN_AT_REGISTRATION',
          subjectRole: 'HOME_SEEKER',
          state: 'FAILED',
          failureCode: 'ABORTED_AFTER_LOGIN',
          count: 1,
        },
      ]),
    );
    expect(res.json.usage).toEqual(expect.arrayContaining([{ kind: 'DIGID_LOGIN', count: 2 }]));
    expect((res.json.bsnScan as { columnsScanned: number }).columnsScanned).toBeGreaterThan(5);
    expect(res.text).not.toContain(ANNA.bsn);
    // A period before today holds nothing of it.
    const earlier = await app.call(
      'GET',
      query(ORG, '2025-01-01', '2025-02-01'),
      app.token(ORG, ['auditor']),
    );
    expect(earlier.json.sessions).toEqual([]);
  });

  it('the scan finds a BSN-shaped value written where none belongs (positive control)', async () => {
    const pending = await played.registrationConsent('BSN_AT_REGISTRATION', { ...ANNA, surname: 'Controle' });
    await app.query(`UPDATE identity_check_requests SET surname = $2 WHERE consent_id = $1`, [
      pending.consentId,
      `Controle ${BRAM.bsn}`,
    ]);
    const res = await app.call('GET', query(ORG), app.token(ORG, ['auditor']));
    expect(res.json.bsnScan).toMatchObject({
      bsnLikeValues: 1,
      columns: ['identity_check_requests.surname'],
    });
    expect(res.text).not.toContain(BRAM.bsn);
    await app.query(`DELETE FROM identity_check_requests WHERE consent_id = $1`, [pending.consentId]);
  });

  it("another tenant's auditor gets 403, a system token 403, a bad period 400; the read is access-logged", async () => {
    const other = await app.call('GET', query(ORG), app.token(randomUUID(), ['auditor']));
    expect(other.status).toBe(403);
    expect(other.json.code).toBe('OUTSIDE_ORGANISATION');
    expect((await app.call('GET', query(ORG), system)).status).toBe(403);
    const backwards = await app.call('GET', query(ORG, tomorrow, today), app.token(ORG, ['auditor']));
    expect(backwards.status).toBe(400);
    expect((await app.call('GET', query(ORG), app.token('platform', ['platform-operator']))).status).toBe(
      200,
    );
    const logged = await app.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM access_log_entries WHERE action = 'CONFORMANCE_EVIDENCE_READ' AND organisation_id = $1`,
      [ORG],
    );
    expect(logged[0]!.n).toBeGreaterThanOrEqual(2);
  });
});
