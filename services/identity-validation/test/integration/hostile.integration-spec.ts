import { randomUUID } from 'node:crypto';
import { ConsentGrantedEvent, IdentityCheckRequestedEvent } from '@divit/contracts';
import { HostileTier, operatorRoles, tenantRoles } from '@divit/testing';
import { IdentityValidationTestApp } from './support';

const PURPOSE = 'BSN_AT_REGISTRATION';
/** A fictional test person of the simulator (elfproef-valid 99999xxxx test BSN). */
const ANNA = { bsn: '999990019', surname: 'Testhuizen', birthDate: '1990-04-12', postcode: '1234 AB' };

/**
 * The hostile-client tier for identity-validation, generated from docs/openapi/identity-validation.json (see
 * docs/testing.md): tenant B against every operation on tenant A's data, seeded bad input for every write, and
 * bursts of 50 simultaneous requests of tenant A with the pool at its default size.
 */
describe('identity-validation: hostile clients (every operation of the OpenAPI document)', () => {
  // The rate limit has its own tests; here it would answer the concurrency bursts instead of the pool.
  const t = new IdentityValidationTestApp({ RATE_LIMIT_ENABLED: 'false' });
  let tier: HostileTier;

  /** Plays consent and registration: a granted consent of tenant A with its identity check; returns its receipt. */
  async function consentOf(organisationId: string) {
    const registrationId = randomUUID();
    const consentId = randomUUID();
    await t.publish(ConsentGrantedEvent, [
      {
        key: registrationId,
        value: {
          consentId,
          organisationId,
          registrationId,
          subjectId: registrationId,
          subjectRole: 'HOME_SEEKER',
          allocationId: null,
          purpose: PURPOSE,
          textVersionHash: 'f'.repeat(64),
          receiptId: `receipt-${consentId}`,
          grantedAt: Date.now(),
        },
      },
    ]);
    await t.publish(IdentityCheckRequestedEvent, [
      {
        key: registrationId,
        value: {
          requestId: randomUUID(),
          consentId,
          registrationId,
          subjectId: registrationId,
          subjectRole: 'HOME_SEEKER',
          purpose: PURPOSE,
          surnamePrefix: null,
          surname: ANNA.surname,
          birthDate: ANNA.birthDate,
          genderMarker: null,
          postcode: ANNA.postcode,
          houseNumber: 10,
          houseNumberAddition: null,
          requestedAt: Date.now(),
        },
      },
    ]);
    await t.until(`SELECT 1 FROM identity_check_requests WHERE consent_id = $1`, [consentId]);
    const receipt = t.receipt({
      consentId,
      subjectId: registrationId,
      role: 'HOME_SEEKER',
      registrationId,
      organisationId,
      purpose: PURPOSE,
    });
    return { registrationId, consentId, receipt };
  }

  beforeAll(async () => {
    await t.start();
    await t.publishReceiptKey();
    // Tenant A: a sharing session started from its consent receipt, and a second receipt not yet used;
    // tenant B: an organisation of its own.
    const orgA = randomUUID();
    const a = t.token(orgA, operatorRoles(), 'tenant-a-admin');
    const first = await consentOf(orgA);
    const started = await t.call('POST', '/sharing-sessions', a, {
      receipt: first.receipt,
      purpose: PURPOSE,
    });
    if (started.status !== 201) throw new Error(`fixture session: ${started.status} ${started.text}`);
    const sessionId = String(started.json.sessionId);
    const unused = await consentOf(orgA);

    const simulator =
      'a simulator of an external party: not a tenant’s tool (issue 13 puts it behind its own switch and token)';
    tier = new HostileTier({
      service: 'identity-validation',
      app: t,
      tokens: { a, b: t.token(randomUUID(), tenantRoles(), 'tenant-b-admin') },
      values: { organisationId: orgA, id: sessionId, registrationId: first.registrationId },
      markers: [
        orgA,
        sessionId,
        first.registrationId,
        first.consentId,
        unused.registrationId,
        unused.consentId,
        unused.receipt,
      ],
      requests: {
        conformanceEvidence: { query: { organisationId: orgA, from: '2026-01-01', to: '2027-01-01' } },
        sharingSessionsStart: { body: { receipt: unused.receipt, purpose: PURPOSE } },
        sharingSessionsConfirm: { body: { agrees: true } },
        dvmgSimulatorLogin: { body: { testPersonBsn: ANNA.bsn } },
        dvmgSimulatorScript: { body: { action: 'SHARE', testPersonBsn: ANNA.bsn } },
      },
      classes: {
        dvmgDeliveriesDeliver: {
          kind: 'public',
          reason: 'DVMG delivers signed datasets without a bearer token; the signature is the credential',
        },
        bvBsnSimulatorBehaviour: { kind: 'operator', reason: simulator },
        bvBsnSimulatorChange: { kind: 'operator', reason: simulator },
        dvmgSimulatorPage: { kind: 'operator', reason: simulator },
        dvmgSimulatorAbort: { kind: 'operator', reason: simulator },
        dvmgSimulatorLogin: { kind: 'operator', reason: simulator },
        dvmgSimulatorScript: { kind: 'operator', reason: simulator },
        dvmgSimulatorShare: { kind: 'operator', reason: simulator },
        dvmgSimulatorTestPersons: { kind: 'operator', reason: simulator },
      },
      burst: ['sharingSessionsGet', 'sharingSessionsStart', 'sharingSessionsConfirm'],
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
