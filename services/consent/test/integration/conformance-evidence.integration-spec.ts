import { randomUUID } from 'node:crypto';
import { ConsentTestApp } from './support';

/** GET /conformance-evidence (issue 16 item 9): texts in force with their elements, answers, withdrawals. */
describe('consent: conformance evidence (real stack)', () => {
  const t = new ConsentTestApp();
  let org = '';
  const today = new Date().toISOString().slice(0, 10);
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const query = (o: string) => `/conformance-evidence?organisationId=${o}&from=${today}&to=${tomorrow}`;

  beforeAll(async () => {
    await t.start();
    org = await t.organisationWithRouteA('Woonstichting Bewijs');
  });
  afterAll(() => t.stop());

  it('lists the texts in force checked against the required elements, answers and withdrawals', async () => {
    const text = await t.publishedText(org);
    const { showingId } = await t.show(org, {
      textId: text.id,
      registrationId: randomUUID(),
      subjectRole: 'HOME_SEEKER',
    });
    const granted = await t.call('POST', '/consents', t.system(org), { showingId, answer: 'GRANTED' });
    expect(granted.status).toBe(201);
    const refused = await t.show(org, {
      textId: text.id,
      registrationId: randomUUID(),
      subjectRole: 'HOME_SEEKER',
    });
    expect(
      (await t.call('POST', '/consents', t.system(org), { showingId: refused.showingId, answer: 'REFUSED' }))
        .status,
    ).toBe(201);
    const withdrawn = await t.call(
      'POST',
      `/consents/${String(granted.json.consentId)}/withdrawal`,
      t.system(org),
    );
    expect(withdrawn.status).toBe(200);

    const res = await t.call('GET', query(org), t.auditor(org));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      service: 'consent',
      organisationId: org,
      answersWithoutProofOfShowing: 0,
      bsnScan: { bsnLikeValues: 0 },
      withdrawals: [{ purpose: 'BSN_AT_REGISTRATION', subjectRole: 'HOME_SEEKER', count: 1 }],
    });
    expect(res.json.requiredElements).toContain('dataSubjectRights');
    expect(res.json.textsInForce).toEqual([
      expect.objectContaining({ textId: text.id, versionHash: text.versionHash, problems: [] }),
    ]);
    expect(res.json.answers).toEqual(
      expect.arrayContaining([
        { purpose: 'BSN_AT_REGISTRATION', subjectRole: 'HOME_SEEKER', answer: 'GRANTED', count: 1 },
        { purpose: 'BSN_AT_REGISTRATION', subjectRole: 'HOME_SEEKER', answer: 'REFUSED', count: 1 },
      ]),
    );
  });

  it('a text published before a required element existed shows the element as missing', async () => {
    const text = await t.publishedText(org, 'CO_RESIDENT', 'BSN_AND_INCOME_AT_ALLOCATION');
    // A text of an earlier rule set: published texts are immutable, so the row is written as a migration would.
    await t.query(`ALTER TABLE consent_texts DISABLE TRIGGER tr_consent_texts_immutable`);
    await t.query(`UPDATE consent_texts SET elements = elements - 'dataSubjectRights' WHERE id = $1`, [
      text.id,
    ]);
    await t.query(`ALTER TABLE consent_texts ENABLE TRIGGER tr_consent_texts_immutable`);
    const res = await t.call('GET', query(org), t.auditor(org));
    const old = (res.json.textsInForce as { textId: string; problems: unknown[] }[]).find(
      (x) => x.textId === text.id,
    );
    expect(old?.problems).toEqual([{ element: 'dataSubjectRights', reason: 'missing' }]);
  });

  it("another tenant's auditor gets 403 OUTSIDE_ORGANISATION; a system token 403", async () => {
    const other = await t.call('GET', query(org), t.auditor(randomUUID()));
    expect(other.status).toBe(403);
    expect(other.json.code).toBe('OUTSIDE_ORGANISATION');
    expect((await t.call('GET', query(org), t.system(org))).status).toBe(403);
  });
});
