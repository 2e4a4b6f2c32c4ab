import { randomUUID } from 'node:crypto';
import { HostileTier, operatorRoles, tenantRoles } from '@divit/testing';
import { completeElements, ConsentTestApp } from './support';

/**
 * The hostile-client tier for consent, generated from docs/openapi/consent.json (see docs/testing.md): tenant B
 * against every operation on tenant A's data, seeded bad input for every write, and bursts of 50 simultaneous
 * requests of tenant A with the pool at its default size.
 */
describe('consent: hostile clients (every operation of the OpenAPI document)', () => {
  // The rate limit has its own tests; here it would answer the concurrency bursts instead of the pool.
  const t = new ConsentTestApp({ RATE_LIMIT_ENABLED: 'false' });
  let tier: HostileTier;

  beforeAll(async () => {
    await t.start();
    // Tenant A: a route A corporation with a published and a draft text, showings and a granted consent at an
    // allocation; tenant B: a route A corporation of its own. Organisations arrive as registration's events.
    const orgA = await t.organisationWithRouteA('Woonstichting A');
    const orgB = await t.organisationWithRouteA('Woonstichting B');
    const a = t.token(orgA, operatorRoles(), 'tenant-a-admin');
    const purpose = 'BSN_AND_INCOME_AT_ALLOCATION';
    const text = await t.publishedText(orgA, 'HOME_SEEKER', purpose);
    const textBody = {
      organisationId: orgA,
      audience: 'CO_RESIDENT',
      purpose,
      language: 'nl',
      elements: completeElements(purpose),
    };
    const draft = await t.call('POST', '/consent-texts', a, textBody);
    if (draft.status !== 201) throw new Error(`fixture draft: ${draft.status} ${draft.text}`);
    const registrationId = randomUUID();
    const allocationId = randomUUID();
    const showing = {
      textId: text.id,
      registrationId,
      subjectRole: 'HOME_SEEKER',
      allocationId,
      channel: 'WEB',
    };
    const granted = await t.show(orgA, showing);
    const consent = await t.call('POST', '/consents', a, { showingId: granted.showingId, answer: 'GRANTED' });
    if (consent.status !== 201) throw new Error(`fixture consent: ${consent.status} ${consent.text}`);
    const open = await t.show(orgA, showing);

    tier = new HostileTier({
      service: 'consent',
      app: t,
      tokens: { a, b: t.token(orgB, tenantRoles(), 'tenant-b-admin') },
      values: {
        organisationId: orgA,
        registrationId,
        allocationId,
        textId: text.id,
        showingId: open.showingId,
        consentId: String(consent.json.consentId),
        audience: 'HOME_SEEKER',
        purpose,
        language: 'nl',
      },
      requests: {
        conformanceEvidence: { query: { organisationId: orgA, from: '2026-01-01', to: '2027-01-01' } },
        allocationConsentStatus: { path: { id: allocationId } },
        consentTextsGet: { path: { id: text.id } },
        consentTextsPublish: { path: { id: String(draft.json.id) } },
        consentTextsCreate: { body: textBody },
        consentsGet: { path: { id: String(consent.json.consentId) } },
        consentsWithdraw: { path: { id: String(consent.json.consentId) } },
        consentsAnswer: { body: { showingId: open.showingId, answer: 'GRANTED' } },
        evidenceAccessLogOf: { path: { id: registrationId } },
        evidenceJson: { path: { id: registrationId } },
        evidencePdf: { path: { id: registrationId } },
        showingsRecord: { body: showing },
        signingKeysVerify: { body: { receipt: 'not.a.receipt' } },
      },
      classes: {
        signingKeysJwks: {
          kind: 'public',
          reason: 'the public keys receipts are verified with (well-known JWKS)',
        },
        signingKeysVerify: {
          kind: 'public',
          reason: 'anyone holding a receipt may have it verified; it answers about that receipt only',
        },
        signingKeysRotate: {
          kind: 'operator',
          reason: 'the receipt signing key is the platform’s, shared by every tenant',
        },
      },
      burst: ['consentsGet', 'consentTextsGet', 'evidenceJson', 'showingsRecord', 'consentsAnswer'],
    });
  });

  afterAll(async () => {
    await tier?.releaseStuckSessions();
    tier?.summary();
    await t.stop();
  });

  it('classifies every operation of the OpenAPI document (public ones with a reason)', () => {
    expect(tier.classification()).toEqual([]);
  });

  it("tenant B cannot read or change tenant A's data through any operation (0 partial writes)", async () => {
    expect(await tier.crossTenant()).toEqual([]);
  });

  it('answers seeded bad input on every write, query and path parameter with 4xx problem+json, never 5xx', async () => {
    expect(await tier.badInput()).toEqual([]);
  }, 300_000);

  it('answers bursts of 50 simultaneous requests of tenant A without 5xx or a stuck pool', async () => {
    expect(await tier.concurrency(50)).toEqual([]);
  }, 300_000);
});
