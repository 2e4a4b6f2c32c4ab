import { createPublicKey, randomUUID, verify } from 'node:crypto';
import { pendingSchemaChanges } from '@divit/persistence';
import { REQUIRED_ELEMENTS } from '../../src/consent-texts/consent-elements';
import { completeElements, ConsentTestApp, payloadOf } from './support';
import { z } from 'zod';
import { accessLogEntryView } from '@divit/access-log';
import { consentTextView, currentConsentTextView } from '../../src/consent-texts/dto/consent-text.dto';
import { consentView } from '../../src/consents/dto/consent.dto';
import { showingView } from '../../src/showings/dto/showing.dto';
import { consentEvidenceView } from '../../src/evidence/dto/evidence.dto';
import { jwksView, receiptVerificationView } from '../../src/signing-keys/dto/signing-keys.dto';

describe('consent: texts, showings, answers, receipts, withdrawal (real PostgreSQL, Kafka, registry)', () => {
  const t = new ConsentTestApp();
  let org: string;
  let text: { id: string; versionHash: string };

  beforeAll(async () => {
    await t.start();
    org = await t.organisationWithRouteA();
    text = await t.publishedText(org);
  });
  afterAll(() => t.stop());

  it('has entities that agree with the migrations', async () => {
    expect(await pendingSchemaChanges(t.db.dataSource)).toEqual([]);
  });

  it.each(REQUIRED_ELEMENTS.map((e) => [e]))(
    'refuses to publish a text without %s, naming it',
    async (element) => {
      const elements = completeElements('BSN_AT_REGISTRATION');
      delete elements[element];
      const draft = await t.call('POST', '/consent-texts', t.admin(org), {
        organisationId: org,
        audience: 'HOME_SEEKER',
        purpose: 'BSN_AT_REGISTRATION',
        language: 'en',
        elements,
      });
      expect(draft.status).toBe(201);
      expect((draft.json.missingElements as { element: string }[]).map((m) => m.element)).toEqual([element]);
      const r = await t.call('POST', `/consent-texts/${String(draft.json.id)}/publication`, t.admin(org));
      expect(r.status).toBe(422);
      expect(r.type).toContain('application/problem+json');
      expect(r.json.code).toBe('CONSENT_TEXT_INCOMPLETE');
      expect(r.json.missingElements).toEqual([element]);
      expect(r.json.errors).toEqual([{ field: `elements.${element}`, message: 'missing' }]);
    },
  );

  it('publishes immutably with a SHA-256 version hash; the database refuses changes to a published version', async () => {
    expect(text.versionHash).toMatch(/^[0-9a-f]{64}$/);
    const again = await t.call('POST', `/consent-texts/${text.id}/publication`, t.admin(org));
    expect(again.status).toBe(409);
    await expect(
      t.query(`UPDATE consent_texts SET elements = '{}' WHERE id = $1`, [text.id]),
    ).rejects.toThrow(/immutable/);
    const current = await t.call(
      'GET',
      `/consent-texts/current?organisationId=${org}&audience=HOME_SEEKER&purpose=BSN_AT_REGISTRATION&language=nl`,
      t.system(org),
    );
    expect(current.status).toBe(200);
    expect(current.json.versionHash).toBe(text.versionHash);
    expect(current.json.controller).toEqual({
      route: 'A',
      controllers: [{ organisationId: org, name: 'Woonstichting Test' }],
    });
  });

  it('answers 404 to a principal of another organisation', async () => {
    const other = randomUUID();
    expect((await t.call('GET', `/consent-texts/${text.id}`, t.admin(other))).status).toBe(404);
    const showing = await t.call('POST', '/showings', t.system(other), {
      textId: text.id,
      registrationId: randomUUID(),
      subjectRole: 'HOME_SEEKER',
      channel: 'WEB',
    });
    expect(showing.status).toBe(404);
  });

  it('refuses a grant without a showing (409)', async () => {
    const r = await t.call('POST', '/consents', t.system(org), {
      showingId: randomUUID(),
      answer: 'GRANTED',
    });
    expect(r.status).toBe(409);
    expect(r.json.code).toBe('NO_VALID_SHOWING');
  });

  it('refuses a grant after the showing window', async () => {
    const registrationId = randomUUID();
    const { showingId } = await t.show(org, { textId: text.id, registrationId, subjectRole: 'HOME_SEEKER' });
    await t.query(`UPDATE consent_showings SET shown_at = now() - interval '31 minutes' WHERE id = $1`, [
      showingId,
    ]);
    const r = await t.call('POST', '/consents', t.system(org), { showingId, answer: 'GRANTED' });
    expect(r.status).toBe(409);
    expect(r.json.code).toBe('SHOWING_EXPIRED');
  });

  it('grants with a receipt that verifies with the JWKS key and fails after tampering', async () => {
    const registrationId = randomUUID();
    const { showingId } = await t.show(org, { textId: text.id, registrationId, subjectRole: 'HOME_SEEKER' });
    const granted = await t.call('POST', '/consents', t.system(org), { showingId, answer: 'GRANTED' });
    expect(granted.status).toBe(201);
    const receipt = String(granted.json.receipt);
    const [h, p, s] = receipt.split('.') as [string, string, string];
    const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, string>;
    expect(header).toEqual({ alg: 'EdDSA', kid: header.kid, typ: 'divit-consent-receipt+jws' });
    expect(header.kid).toMatch(/^consent-/);
    const payload = payloadOf(receipt);
    expect(Object.keys(payload)).toEqual([
      'iss',
      'jti',
      'cid',
      'sub',
      'role',
      'rid',
      'aid',
      'org',
      'ctl',
      'pur',
      'txt',
      'iat',
    ]);
    expect(payload).toEqual({
      iss: 'divit-consent',
      jti: granted.json.receiptId,
      cid: granted.json.consentId,
      sub: registrationId,
      role: 'HOME_SEEKER',
      rid: registrationId,
      aid: null,
      org,
      ctl: { route: 'A', controllers: [org] },
      pur: 'BSN_AT_REGISTRATION',
      txt: text.versionHash,
      iat: payload.iat,
    });
    expect(Math.abs(Number(payload.iat) - Date.now() / 1000)).toBeLessThan(600);

    // Offline, with nothing but the JWKS and node:crypto.
    const jwks = await t.call('GET', '/.well-known/jwks.json', null);
    const jwk = (jwks.json.keys as { kid: string }[]).find((k) => k.kid === header.kid);
    expect(jwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA' });
    const key = createPublicKey({ key: jwk as never, format: 'jwk' });
    expect(verify(null, Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'))).toBe(true);
    const forgedPayload = Buffer.from(
      JSON.stringify({ ...payload, pur: 'BSN_AND_INCOME_AT_ALLOCATION' }),
    ).toString('base64url');
    expect(verify(null, Buffer.from(`${h}.${forgedPayload}`), key, Buffer.from(s, 'base64url'))).toBe(false);
    const flipped = Buffer.from(s, 'base64url');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(verify(null, Buffer.from(`${h}.${p}`), key, flipped)).toBe(false);

    // And through the service's verification endpoint.
    const ok = await t.call('POST', '/receipts/verification', null, { receipt });
    expect(ok.json).toMatchObject({ valid: true, kid: header.kid, keyRetired: false });
    const tamperedPayload = await t.call('POST', '/receipts/verification', null, {
      receipt: `${h}.${forgedPayload}.${s}`,
    });
    expect(tamperedPayload.json).toMatchObject({ valid: false, reason: 'BAD_SIGNATURE' });
    const tamperedSig = await t.call('POST', '/receipts/verification', null, {
      receipt: `${h}.${p}.${flipped.toString('base64url')}`,
    });
    expect(tamperedSig.json).toMatchObject({ valid: false, reason: 'BAD_SIGNATURE' });

    const events = await t.eventsMatching(
      (e) => e.type === 'nl.divit.consent.ConsentGranted' && e.value.consentId === granted.json.consentId,
      1,
    );
    expect(events[0]?.key).toBe(registrationId);
    expect(events[0]?.value).toMatchObject({
      receiptId: granted.json.receiptId,
      textVersionHash: text.versionHash,
    });

    const again = await t.call('POST', '/consents', t.system(org), { showingId, answer: 'GRANTED' });
    expect(again.status).toBe(409);
    expect(again.json.code).toBe('SHOWING_ALREADY_ANSWERED');
  });

  it('answers with exactly the response views its OpenAPI document declares (no undeclared member, formats hold)', async () => {
    // parse() drops members a view does not declare and fails on a wrong format: equal means the view is complete.
    const conforms = (view: z.ZodType, json: unknown) => expect(view.parse(json)).toEqual(json);
    const registrationId = randomUUID();
    const draft = await t.call('POST', '/consent-texts', t.admin(org), {
      organisationId: org,
      audience: 'HOME_SEEKER',
      purpose: 'BSN_AT_REGISTRATION',
      language: 'en',
      elements: {},
    });
    expect(draft.status).toBe(201);
    conforms(consentTextView, draft.json);
    conforms(consentTextView, (await t.call('GET', `/consent-texts/${text.id}`, t.admin(org))).json);
    const current = await t.call(
      'GET',
      `/consent-texts/current?organisationId=${org}&audience=HOME_SEEKER&purpose=BSN_AT_REGISTRATION&language=nl`,
      t.system(org),
    );
    expect(current.status).toBe(200);
    conforms(currentConsentTextView, current.json);
    await t.knownRegistration(org, registrationId);
    const showing = await t.call('POST', '/showings', t.system(org), {
      textId: text.id,
      registrationId,
      subjectRole: 'HOME_SEEKER',
      channel: 'WEB',
    });
    conforms(showingView, showing.json);
    const granted = await t.call('POST', '/consents', t.system(org), {
      showingId: showing.json.showingId,
      answer: 'GRANTED',
    });
    conforms(consentView, granted.json);
    conforms(
      consentView,
      (await t.call('GET', `/consents/${String(granted.json.consentId)}`, t.system(org))).json,
    );
    const verification = await t.call('POST', '/receipts/verification', null, {
      receipt: granted.json.receipt,
    });
    conforms(receiptVerificationView, verification.json);
    conforms(jwksView, (await t.call('GET', '/.well-known/jwks.json', null)).json);
    const withdrawn = await t.call(
      'POST',
      `/consents/${String(granted.json.consentId)}/withdrawal`,
      t.system(org),
    );
    expect(withdrawn.status).toBe(200);
    conforms(consentView, withdrawn.json);
    const evidence = await t.call('GET', `/registrations/${registrationId}/consent-evidence`, t.auditor(org));
    expect(evidence.status).toBe(200);
    conforms(consentEvidenceView, evidence.json);
    const accessLog = await t.call(
      'GET',
      `/registrations/${registrationId}/consent-access-log`,
      t.auditor(org),
    );
    expect((accessLog.json as unknown as unknown[]).length).toBeGreaterThan(0);
    conforms(z.array(accessLogEntryView), accessLog.json);
  });

  it('publishes exactly one ConsentWithdrawn when withdrawal is sent twice', async () => {
    const registrationId = randomUUID();
    const { showingId } = await t.show(org, { textId: text.id, registrationId, subjectRole: 'HOME_SEEKER' });
    const granted = await t.call('POST', '/consents', t.system(org), { showingId, answer: 'GRANTED' });
    const consentId = String(granted.json.consentId);
    const first = await t.call('POST', `/consents/${consentId}/withdrawal`, t.system(org));
    const second = await t.call('POST', `/consents/${consentId}/withdrawal`, t.system(org));
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.json).toEqual(first.json);
    expect(first.json.status).toBe('WITHDRAWN');
    // A marker event published after the withdrawals: once it is seen, any duplicate would have been seen too.
    const marker = await t.show(org, { textId: text.id, registrationId, subjectRole: 'HOME_SEEKER' });
    const refused = await t.call('POST', '/consents', t.system(org), {
      showingId: marker.showingId,
      answer: 'REFUSED',
    });
    await t.eventsMatching((e) => e.value.consentId === refused.json.consentId, 1);
    const withdrawn = t.received.filter(
      (e) => e.type === 'nl.divit.consent.ConsentWithdrawn' && e.value.consentId === consentId,
    );
    expect(withdrawn).toHaveLength(1);
    expect(withdrawn[0]?.key).toBe(registrationId);
  });

  it('publishes ConsentRefused (U1) for a refusal', async () => {
    const registrationId = randomUUID();
    const { showingId } = await t.show(org, { textId: text.id, registrationId, subjectRole: 'HOME_SEEKER' });
    const refused = await t.call('POST', '/consents', t.system(org), { showingId, answer: 'REFUSED' });
    expect(refused.status).toBe(201);
    expect(refused.json).toMatchObject({ answer: 'REFUSED', receipt: null, receiptId: null });
    const [event] = await t.eventsMatching(
      (e) => e.type === 'nl.divit.consent.ConsentRefused' && e.value.consentId === refused.json.consentId,
      1,
    );
    expect(event?.value).toMatchObject({
      organisationId: org,
      registrationId,
      subjectId: registrationId,
      subjectRole: 'HOME_SEEKER',
      allocationId: null,
      purpose: 'BSN_AT_REGISTRATION',
    });
  });
});
