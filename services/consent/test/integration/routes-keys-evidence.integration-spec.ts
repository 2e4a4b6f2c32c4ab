import { randomUUID } from 'node:crypto';
import {
  ErasureRequestedEvent,
  MembershipStartedEvent,
  OrganisationRouteChangedEvent,
} from '@divit/contracts';
import { amsterdamDate } from '../../src/common/calendar-date';
import { ConsentTestApp, payloadOf, pdfText, eventually } from './support';

describe('consent: controller per route, key rotation, evidence, partial consent, erasure (real stack)', () => {
  const t = new ConsentTestApp();
  beforeAll(() => t.start());
  afterAll(() => t.stop());

  async function grant(org: string, textId: string, registrationId = randomUUID()) {
    const { showingId } = await t.show(org, { textId, registrationId, subjectRole: 'HOME_SEEKER' });
    const r = await t.call('POST', '/consents', t.system(org), { showingId, answer: 'GRANTED' });
    if (r.status !== 201) throw new Error(`grant: ${r.status} ${r.text}`);
    return { ...r.json, registrationId } as Record<string, unknown> & {
      receipt: string;
      registrationId: string;
    };
  }

  it('names the controller of the route on the day: A, then B after a route change, then C (the members jointly)', async () => {
    const org = await t.organisationWithRouteA('Samenwerking Regio');
    const text = await t.publishedText(org);
    expect(payloadOf((await grant(org, text.id)).receipt).ctl).toEqual({ route: 'A', controllers: [org] });

    // A showing under route A, answered after the change, must be shown again.
    const stale = await t.show(org, {
      textId: text.id,
      registrationId: randomUUID(),
      subjectRole: 'HOME_SEEKER',
    });

    const today = amsterdamDate(new Date());
    await t.publish(OrganisationRouteChangedEvent, [
      {
        key: org,
        value: {
          organisationId: org,
          previousRoute: 'A',
          newRoute: 'B',
          previousCoordinatorOrganisationId: null,
          newCoordinatorOrganisationId: org,
          effectiveFrom: today,
          occurredAt: Date.now(),
        },
      },
    ]);
    await t.routeRows(org, 2);
    expect(payloadOf((await grant(org, text.id)).receipt).ctl).toEqual({ route: 'B', controllers: [org] });
    const changed = await t.call('POST', '/consents', t.system(org), {
      showingId: stale.showingId,
      answer: 'GRANTED',
    });
    expect(changed.status).toBe(409);
    expect(changed.json.code).toBe('CONTROLLER_CHANGED_SINCE_SHOWING');

    const [m1, m2] = [randomUUID(), randomUUID()].sort() as [string, string];
    await t.publish(
      MembershipStartedEvent,
      [m2, m1].map((member) => ({
        key: org,
        value: {
          organisationId: org,
          membershipId: randomUUID(),
          memberOrganisationId: member,
          validFrom: '2024-01-01',
          validTo: null,
          occurredAt: Date.now(),
        },
      })),
    );
    await t.publish(OrganisationRouteChangedEvent, [
      {
        key: org,
        value: {
          organisationId: org,
          previousRoute: 'B',
          newRoute: 'C',
          previousCoordinatorOrganisationId: org,
          newCoordinatorOrganisationId: m1,
          effectiveFrom: today,
          occurredAt: Date.now(),
        },
      },
    ]);
    await t.routeRows(org, 3);
    await eventually(
      () => t.query(`SELECT id FROM organisation_memberships WHERE organisation_id = $1`, [org]),
      {
        description:
          't.query(`SELECT id FROM organisation_memberships WHERE organisation_id = $1`, [org]) to satisfy (r) => r.length === 2',
        until: (r) => r.length === 2,
      },
    );
    const c = await grant(org, text.id);
    expect(payloadOf(c.receipt).ctl).toEqual({ route: 'C', controllers: [m1, m2] });
  });

  it('keeps receipts signed before a key rotation verifiable, and publishes both key states', async () => {
    const org = await t.organisationWithRouteA();
    const text = await t.publishedText(org);
    const before = await grant(org, text.id);
    const kidBefore = JSON.parse(Buffer.from(before.receipt.split('.')[0] ?? '', 'base64url').toString()) as {
      kid: string;
    };

    const rotated = await t.call('POST', '/signing-keys/rotation', t.platformOperator());
    expect(rotated.status).toBe(201);
    const active = rotated.json.active as { kid: string; retiredAt: string | null };
    expect(active.kid).not.toBe(kidBefore.kid);
    expect(rotated.json.retired).toEqual([expect.objectContaining({ kid: kidBefore.kid })]);
    expect(
      await t.query(`SELECT encrypted_private_key FROM signing_keys WHERE kid = $1`, [kidBefore.kid]),
    ).toEqual([{ encrypted_private_key: null }]);

    const after = await grant(org, text.id);
    expect(after.receipt.split('.')[0]).not.toBe(before.receipt.split('.')[0]);
    const oldCheck = await t.call('POST', '/receipts/verification', null, { receipt: before.receipt });
    expect(oldCheck.json).toMatchObject({ valid: true, kid: kidBefore.kid, keyRetired: true });
    const newCheck = await t.call('POST', '/receipts/verification', null, { receipt: after.receipt });
    expect(newCheck.json).toMatchObject({ valid: true, kid: active.kid, keyRetired: false });
    const jwks = await t.call('GET', '/.well-known/jwks.json', null);
    expect((jwks.json.keys as { kid: string }[]).map((k) => k.kid)).toEqual(
      expect.arrayContaining([kidBefore.kid, active.kid]),
    );

    const retiredEvent = await t.eventsMatching(
      (e) =>
        e.type === 'nl.divit.consent.ReceiptSigningKeyPublished' &&
        e.key === kidBefore.kid &&
        e.value.retiredAt !== null,
      1,
    );
    expect(retiredEvent[0]?.value.keyId).toBe(kidBefore.kid);
    const newEvent = await t.eventsMatching(
      (e) => e.type === 'nl.divit.consent.ReceiptSigningKeyPublished' && e.key === active.kid,
      1,
    );
    expect(newEvent[0]?.value).toMatchObject({ keyId: active.kid, retiredAt: null });
  });

  it('represents partial consent exactly: the home seeker grants, a co-resident refuses (U1)', async () => {
    const org = await t.organisationWithRouteA();
    const seekerText = await t.publishedText(org, 'HOME_SEEKER', 'BSN_AND_INCOME_AT_ALLOCATION');
    const coText = await t.publishedText(org, 'CO_RESIDENT', 'BSN_AND_INCOME_AT_ALLOCATION');
    const registrationId = randomUUID();
    const allocationId = randomUUID();
    const memberId = randomUUID();

    const missingAllocation = await t.call('POST', '/showings', t.system(org), {
      textId: seekerText.id,
      registrationId,
      subjectRole: 'HOME_SEEKER',
      channel: 'WEB',
    });
    expect(missingAllocation.status).toBe(422);
    expect(missingAllocation.json.code).toBe('ALLOCATION_REQUIRED');

    const s1 = await t.show(org, {
      textId: seekerText.id,
      registrationId,
      subjectRole: 'HOME_SEEKER',
      allocationId,
    });
    const s2 = await t.show(org, {
      textId: coText.id,
      registrationId,
      subjectId: memberId,
      subjectRole: 'CO_RESIDENT',
      allocationId,
      channel: 'PAPER_ASSISTED',
    });
    const granted = await t.call('POST', '/consents', t.system(org), {
      showingId: s1.showingId,
      answer: 'GRANTED',
    });
    const refused = await t.call('POST', '/consents', t.system(org), {
      showingId: s2.showingId,
      answer: 'REFUSED',
    });
    expect(payloadOf(String(granted.json.receipt))).toMatchObject({
      aid: allocationId,
      pur: 'BSN_AND_INCOME_AT_ALLOCATION',
    });

    const status = await t.call('GET', `/allocations/${allocationId}/consent-status`, t.system(org));
    expect(status.status).toBe(200);
    expect(status.json).toMatchObject({
      allocationId,
      registrationId,
      alternativeRouteNeeded: true,
      people: [
        {
          subjectId: registrationId,
          subjectRole: 'HOME_SEEKER',
          status: 'GRANTED',
          consentId: granted.json.consentId,
        },
        {
          subjectId: memberId,
          subjectRole: 'CO_RESIDENT',
          status: 'REFUSED',
          consentId: refused.json.consentId,
        },
      ],
    });
    const [event] = await t.eventsMatching(
      (e) => e.type === 'nl.divit.consent.ConsentRefused' && e.value.consentId === refused.json.consentId,
      1,
    );
    expect(event?.value).toMatchObject({ subjectId: memberId, subjectRole: 'CO_RESIDENT', allocationId });
    expect(
      (await t.call('GET', `/allocations/${allocationId}/consent-status`, t.system(randomUUID()))).status,
    ).toBe(404);
  });

  it('exports the evidence as JSON and as a readable PDF for auditors, each export access-logged', async () => {
    const org = await t.organisationWithRouteA('Woonbron Evidence');
    const text = await t.publishedText(org);
    const g = await grant(org, text.id);
    await t.call('POST', `/consents/${String(g.consentId)}/withdrawal`, t.system(org));

    expect(
      (await t.call('GET', `/registrations/${g.registrationId}/consent-evidence`, t.system(org))).status,
    ).toBe(403);
    expect(
      (await t.call('GET', `/registrations/${g.registrationId}/consent-evidence`, t.auditor(randomUUID())))
        .status,
    ).toBe(404);

    const json = await t.call('GET', `/registrations/${g.registrationId}/consent-evidence`, t.auditor(org));
    expect(json.status).toBe(200);
    const [entry] = json.json.entries as {
      text: { versionHash: string; elements: Record<string, { text: string }> };
      showing: { channel: string };
      answer: { answer: string; receipt: string; withdrawnAt: string | null };
    }[];
    expect(entry?.text.versionHash).toBe(text.versionHash);
    expect(Object.keys(entry?.text.elements ?? {})).toHaveLength(9);
    expect(entry?.showing.channel).toBe('WEB');
    expect(entry?.answer).toMatchObject({ answer: 'GRANTED', receipt: g.receipt });
    expect(entry?.answer.withdrawnAt).not.toBeNull();

    const pdf = await t.raw('GET', `/registrations/${g.registrationId}/consent-evidence.pdf`, {
      headers: { authorization: `Bearer ${t.auditor(org)}` },
    });
    expect(pdf.status).toBe(200);
    expect(pdf.type).toContain('application/pdf');
    const content = pdfText(pdf.body).replace(/\s+/g, ' ');
    expect(content).toContain('DIV-it consent evidence');
    expect(content).toContain(g.registrationId);
    expect(content).toContain(text.versionHash);
    expect(content).toContain('Woonbron Evidence');
    expect(content).toContain(
      'Uw BSN wordt alleen gebruikt om uw geslachtsnaam en geboortedatum te controleren.',
    );
    expect(content).toContain('Answer: GRANTED');
    expect(content).toContain('Withdrawn at:');

    const log = await t.call('GET', `/registrations/${g.registrationId}/consent-access-log`, t.auditor(org));
    expect((log.json as unknown as { action: string }[]).map((r) => r.action)).toEqual([
      'CONSENT_EVIDENCE_JSON_EXPORTED',
      'CONSENT_EVIDENCE_PDF_EXPORTED',
      'ACCESS_LOG_READ',
    ]);
  });

  it('erases consent proofs on command and acknowledges; misrouted categories are dead-lettered', async () => {
    const org = await t.organisationWithRouteA();
    const text = await t.publishedText(org);
    const g = await grant(org, text.id);
    const command = (over: Record<string, unknown>) => ({
      erasureId: randomUUID(),
      targetService: 'CONSENT' as const,
      category: 'CONSENT_PROOFS' as const,
      reason: 'RETENTION_PERIOD_ENDED' as const,
      policyId: 'default/CONSENT_PROOFS',
      organisationId: null,
      registrationId: g.registrationId,
      subjectId: null,
      allocationId: null,
      recordedBefore: null,
      requestedAt: Date.now(),
      ...over,
    });
    const proofs = command({});
    const misrouted = command({ category: 'HASHED_BSN' });
    await t.publish(ErasureRequestedEvent, [
      { key: proofs.erasureId, value: proofs },
      { key: misrouted.erasureId, value: misrouted },
    ]);
    const [ack] = await t.eventsMatching(
      (e) => e.type === 'nl.divit.consent.ConsentErasureCompleted' && e.value.erasureId === proofs.erasureId,
      1,
    );
    expect(ack?.key).toBe(proofs.erasureId);
    expect(ack?.value).toMatchObject({ category: 'CONSENT_PROOFS', erasedCount: 2 });
    expect(await t.query(`SELECT id FROM consents WHERE registration_id = $1`, [g.registrationId])).toEqual(
      [],
    );
    expect(
      await t.query(`SELECT id FROM consent_showings WHERE registration_id = $1`, [g.registrationId]),
    ).toEqual([]);

    const [dead] = await t.eventsMatching(
      (e) => e.topic === 'dlqConsent' && e.value.erasureId === misrouted.erasureId,
      1,
    );
    expect(dead?.type).toBe('nl.divit.retentioncleanup.ErasureRequested');
    expect(
      t.received.some(
        (e) =>
          e.type === 'nl.divit.consent.ConsentErasureCompleted' && e.value.erasureId === misrouted.erasureId,
      ),
    ).toBe(false);
  });
});
