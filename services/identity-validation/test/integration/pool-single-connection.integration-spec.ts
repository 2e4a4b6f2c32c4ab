import { randomUUID } from 'node:crypto';
import {
  AllocationClosedEvent,
  ConsentRefusedEvent,
  ConsentWithdrawnEvent,
  ErasureRequestedEvent,
  RegistrationDeregisteredEvent,
} from '@divit/contracts';
import { createKafka, readDeadLetters } from '@divit/messaging';
import { hmacUnder, IdentityValidationTestApp, OLD_KEY, SIMULATOR_TOKEN } from './support';
import { CoResident, PlayedServices, Purpose, Stated } from './flows';

/**
 * Guard against a second pool connection inside a transaction (issue 13, item 1): with DB_POOL_SIZE=1 a query
 * that bypasses the transaction's manager waits for the one connection its own transaction holds, until the
 * pool's acquire timeout fails it. Every transactional flow is driven once: sharing sessions started (and
 * restarted) and completed through the simulator, the BV BSN check (zoekpad 2, zoekpad 1, a technical error), the
 * confirmation, the hash match at allocation (with re-hashing under the active key), the co-resident check,
 * aborts, expiry by the sweeper, and the consumed events (consent withdrawn and refused, allocation closed,
 * deregistration, erasure). Each request must answer within seconds and each consumed event must take effect
 * with nothing dead-lettered (a handler that timed out on the pool is retried, then dead-lettered).
 */
const ANNA = { bsn: '999990019', surname: 'Testhuizen', birthDate: '1990-04-12', gender: 'V' };
const BRAM = { bsn: '999990032', surname: 'Simulatorsma', birthDate: '1985-11-03', gender: 'M' };
const CHARLIE = {
  bsn: '999990044',
  surname: 'Proefpersoon',
  birthDate: '2000-01-31',
  gender: 'X',
  postcode: '3511BC',
  houseNumber: 42,
};
const DIRK = { bsn: '999990056', surname: 'Voorbeeld', birthDate: '1978-06-21', gender: 'M' };

const REQUEST_TIMEOUT_MS = 8_000;
const ORG = randomUUID();
const LETTING = randomUUID();
const app = new IdentityValidationTestApp({ DB_POOL_SIZE: '1' });
let token = '';

beforeAll(async () => {
  await app.start();
  token = app.token(ORG, ['allocation-system']);
  await app.publishReceiptKey();
}, 120_000);

afterAll(() => app.stop());

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${app.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

/** The simulated MijnOverheid runs a whole flow; its delivery to /dvmg/deliveries runs the check's transaction. */
async function script(sessionId: string, action: string, testPersonBsn?: string) {
  const res = await call(
    'POST',
    `/simulators/dvmg/sessions/${sessionId}/script`,
    { action, ...(testPersonBsn ? { testPersonBsn } : {}) },
    { 'x-simulator-token': SIMULATOR_TOKEN },
  );
  expect(res.status).toBe(200);
  return res.json as { deliveryStatus: number | null; deliveryResponse: Record<string, unknown> };
}

async function startSession(receipt: string, purpose: Purpose): Promise<string> {
  const res = await call('POST', '/sharing-sessions', { receipt, purpose });
  expect(res.status).toBe(201);
  return String(res.json.sessionId);
}

const played = new PlayedServices(app, ORG, LETTING);
/** Plays consent and registration: consent granted and the identifying data for the check. */
const registrationConsent = (person: Stated, purpose: Purpose = 'BSN_AT_REGISTRATION') =>
  played.registrationConsent(purpose, person);
const allocation = (registrationId: string, coResidents: CoResident[] = []) =>
  played.allocation(registrationId, coResidents);
const allocationReceipt = (...args: Parameters<PlayedServices['allocationReceipt']>) =>
  played.allocationReceipt(...args);

async function sessionState(id: string) {
  const [row] = await app.query<{ state: string; failure_code: string | null }>(
    `SELECT state, failure_code FROM sharing_sessions WHERE id = $1`,
    [id],
  );
  return row;
}

let anna: Awaited<ReturnType<typeof registrationConsent>>;

describe('identity-validation: every transactional flow works with a pool of one connection', () => {
  it('registration check: start, restart with the same receipt, share (BV BSN zoekpad 2), read, confirm', async () => {
    anna = await registrationConsent(ANNA);
    const first = await startSession(anna.receipt, anna.purpose);
    // The same receipt again supersedes the undelivered session (locks it inside the start transaction).
    const sessionId = await startSession(anna.receipt, anna.purpose);
    expect((await sessionState(first))?.state).toBe('SUPERSEDED');
    const delivered = await script(sessionId, 'SHARE', ANNA.bsn);
    expect(delivered.deliveryStatus).toBe(200);
    expect(delivered.deliveryResponse).toMatchObject({ state: 'AWAITING_CONFIRMATION' });
    // Reading the validated identity writes the access log.
    const read = await call('GET', `/sharing-sessions/${sessionId}`);
    expect(read.status).toBe(200);
    expect(read.json.validatedIdentity).toMatchObject({ surname: ANNA.surname });
    const confirmed = await call('POST', `/sharing-sessions/${sessionId}/confirmation`, { agrees: true });
    expect(confirmed.status).toBe(200);
    expect(confirmed.json.state).toBe('VALIDATED');
    await app.until(`SELECT 1 FROM bsn_hashes WHERE registration_id = $1`, [anna.registrationId]);
  });

  it('zoekpad 1 after zoekpad 2 fails; the person disagrees (U2)', async () => {
    const reg = await registrationConsent({ ...CHARLIE, surname: 'Verkeerd' });
    const sessionId = await startSession(reg.receipt, reg.purpose);
    expect((await script(sessionId, 'SHARE', CHARLIE.bsn)).deliveryResponse).toMatchObject({
      state: 'AWAITING_CONFIRMATION',
    });
    const disputed = await call('POST', `/sharing-sessions/${sessionId}/confirmation`, { agrees: false });
    expect(disputed.status).toBe(200);
    expect(disputed.json).toMatchObject({ state: 'FAILED', failureCode: 'U2_DATA_DISPUTED' });
  });

  it('BV BSN technical error, aborts before and after login (usage counted in the delivery transaction)', async () => {
    const behaviour = await call(
      'POST',
      '/simulators/bvbsn/behaviour',
      { failNextCalls: 1 },
      { 'x-simulator-token': SIMULATOR_TOKEN },
    );
    expect(behaviour.status).toBeLessThan(300);
    const technical = await registrationConsent(BRAM, 'BSN_FOR_EXISTING_REGISTRATION');
    const s1 = await startSession(technical.receipt, technical.purpose);
    expect((await script(s1, 'SHARE', BRAM.bsn)).deliveryResponse).toMatchObject({
      failureCode: 'TECHNICAL_ERROR',
    });

    const before = await registrationConsent(BRAM);
    const s2 = await startSession(before.receipt, before.purpose);
    expect((await script(s2, 'ABORT_BEFORE_LOGIN')).deliveryResponse).toMatchObject({
      sharingOutcome: 'ABORTED_BEFORE_LOGIN',
    });
    const after = await registrationConsent(BRAM);
    const s3 = await startSession(after.receipt, after.purpose);
    expect((await script(s3, 'ABORT_AFTER_LOGIN', BRAM.bsn)).deliveryResponse).toMatchObject({
      sharingOutcome: 'ABORTED_AFTER_LOGIN',
    });
    expect(await app.count(`usage_records WHERE session_id = '${s3}'`)).toBe(1);
  });

  it('expiry: the sweeper fails a session past its deadline', async () => {
    const reg = await registrationConsent(DIRK);
    const sessionId = await startSession(reg.receipt, reg.purpose);
    await app.query(`UPDATE sharing_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      sessionId,
    ]);
    await app.until(`SELECT 1 FROM sharing_sessions WHERE id = $1 AND failure_code = 'SESSION_EXPIRED'`, [
      sessionId,
    ]);
  });

  it('allocation: hash match (and re-hash under the active key), U4, co-resident check', async () => {
    const allocationId = await allocation(anna.registrationId);
    const matched = await startSession(
      allocationReceipt(anna.registrationId, allocationId),
      'BSN_AND_INCOME_AT_ALLOCATION',
    );
    expect((await script(matched, 'SHARE', ANNA.bsn)).deliveryResponse).toMatchObject({ state: 'VALIDATED' });

    const mismatch = await startSession(
      allocationReceipt(anna.registrationId, await allocation(anna.registrationId)),
      'BSN_AND_INCOME_AT_ALLOCATION',
    );
    expect((await script(mismatch, 'OTHER_PERSON', ANNA.bsn)).deliveryResponse).toMatchObject({
      failureCode: 'U4_HASH_MISMATCH',
    });

    const oldKeyRegistration = randomUUID();
    await app.query(
      `INSERT INTO bsn_hashes (registration_id, organisation_id, consent_id, key_id, hash, validated_surname, validated_birth_date)
       VALUES ($1, $2, $3, 'k0', $4, $5, $6)`,
      [oldKeyRegistration, ORG, randomUUID(), hmacUnder(OLD_KEY, DIRK.bsn), DIRK.surname, DIRK.birthDate],
    );
    const rehashed = await startSession(
      allocationReceipt(oldKeyRegistration, await allocation(oldKeyRegistration)),
      'BSN_AND_INCOME_AT_ALLOCATION',
    );
    expect((await script(rehashed, 'SHARE', DIRK.bsn)).deliveryResponse).toMatchObject({
      state: 'VALIDATED',
    });
    await app.until(`SELECT 1 FROM bsn_hashes WHERE registration_id = $1 AND key_id = 'k1'`, [
      oldKeyRegistration,
    ]);

    const member = { memberId: randomUUID(), surname: BRAM.surname, birthDate: BRAM.birthDate };
    const withMember = await allocation(anna.registrationId, [member]);
    const coResident = await startSession(
      allocationReceipt(anna.registrationId, withMember, member.memberId, 'CO_RESIDENT'),
      'BSN_AND_INCOME_AT_ALLOCATION',
    );
    expect((await script(coResident, 'SHARE', BRAM.bsn)).deliveryResponse).toMatchObject({
      state: 'VALIDATED',
    });
  });

  it('consumed events: allocation closed, consent refused and withdrawn stop open sessions; deregistration and erasure', async () => {
    // An open allocation session stops when the allocation closes.
    const closing = await allocation(anna.registrationId);
    const open = await startSession(
      allocationReceipt(anna.registrationId, closing),
      'BSN_AND_INCOME_AT_ALLOCATION',
    );
    await app.publish(AllocationClosedEvent, [
      {
        key: closing,
        value: {
          allocationId: closing,
          registrationId: anna.registrationId,
          organisationId: ORG,
          outcome: 'ENDED_WITHOUT_LEASE',
          closedAt: Date.now(),
        },
      },
    ]);
    await app.until(`SELECT 1 FROM sharing_sessions WHERE id = $1 AND state = 'ALLOCATION_CLOSED'`, [open]);

    const refused = await registrationConsent(DIRK);
    await app.publish(ConsentRefusedEvent, [
      {
        key: refused.registrationId,
        value: {
          consentId: refused.consentId,
          organisationId: ORG,
          registrationId: refused.registrationId,
          subjectId: refused.registrationId,
          subjectRole: 'HOME_SEEKER',
          allocationId: null,
          purpose: 'BSN_AT_REGISTRATION',
          refusedAt: Date.now(),
        },
      },
    ]);
    await app.until(`SELECT 1 FROM consents WHERE consent_id = $1 AND status = 'REFUSED'`, [
      refused.consentId,
    ]);

    const withdrawn = await registrationConsent(BRAM);
    const pending = await startSession(withdrawn.receipt, withdrawn.purpose);
    await app.publish(ConsentWithdrawnEvent, [
      {
        key: withdrawn.registrationId,
        value: {
          consentId: withdrawn.consentId,
          organisationId: ORG,
          registrationId: withdrawn.registrationId,
          subjectId: withdrawn.registrationId,
          subjectRole: 'HOME_SEEKER',
          allocationId: null,
          purpose: 'BSN_AT_REGISTRATION',
          withdrawnAt: Date.now(),
        },
      },
    ]);
    await app.until(`SELECT 1 FROM sharing_sessions WHERE id = $1 AND failure_code = 'U1_NO_CONSENT'`, [
      pending,
    ]);

    const erasureId = randomUUID();
    await app.publish(ErasureRequestedEvent, [
      {
        key: anna.registrationId,
        value: {
          erasureId,
          targetService: 'IDENTITY_VALIDATION',
          category: 'ACCESS_LOGS',
          reason: 'RETENTION_PERIOD_ENDED',
          policyId: 'default/ACCESS_LOGS',
          organisationId: null,
          registrationId: anna.registrationId,
          subjectId: null,
          allocationId: null,
          recordedBefore: null,
          requestedAt: Date.now(),
        },
      },
    ]);
    const [ack] = await app.eventsMatching(
      (e) =>
        e.type === 'nl.divit.identityvalidation.IdentityErasureCompleted' && e.value.erasureId === erasureId,
      1,
    );
    expect(ack?.value.erasedCount).toBeGreaterThanOrEqual(1);

    await app.publish(RegistrationDeregisteredEvent, [
      {
        key: anna.registrationId,
        value: { registrationId: anna.registrationId, organisationId: ORG, occurredAt: Date.now() },
      },
    ]);
    await app.until(`SELECT 1 FROM bsn_hashes WHERE registration_id = $1`, [anna.registrationId], false);
  });

  it('nothing was dead-lettered (a consumer whose handler timed out on the pool would dead-letter the event)', async () => {
    const kafka = createKafka({ brokers: app.config.KAFKA_BROKERS, clientId: `${app.prefix}dlq-reader` });
    expect(await readDeadLetters(kafka, app.topics.name('dlqIdentityValidation'))).toEqual([]);
  });
});
