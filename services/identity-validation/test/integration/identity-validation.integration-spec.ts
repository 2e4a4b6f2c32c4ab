import { randomUUID } from 'node:crypto';
import {
  AllocationClosedEvent,
  ConsentRefusedEvent,
  ConsentWithdrawnEvent,
  ErasureRequestedEvent,
  topicCatalogue,
} from '@divit/contracts';
import { createKafka, readDeadLetters } from '@divit/messaging';
import { pendingSchemaChanges } from '@divit/persistence';
import { readTopicRecords, scanForBsnLeaks } from '@divit/testing';
import { signDataset } from '../../src/dvmg/dvmg-dataset';
import { DvmgSimulator } from '../../src/dvmg/dvmg.simulator';
import {
  capturedLogs,
  hmacUnder,
  IdentityValidationTestApp,
  OLD_KEY,
  ReceivedEvent,
  eventually,
} from './support';
import { CoResident, PlayedServices, Purpose, Stated } from './flows';

/** Fictional test persons of the simulator (elfproef-valid 99999xxxx test BSNs). */
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
const CHARLIE = {
  bsn: '999990044',
  surname: 'Proefpersoon',
  birthDate: '2000-01-31',
  gender: 'X',
  postcode: '3511BC',
  houseNumber: 42,
};
const DIRK = {
  bsn: '999990056',
  surname: 'Voorbeeld',
  birthDate: '1978-06-21',
  gender: 'M',
  postcode: '5611CD',
  houseNumber: 7,
};
const EVA = {
  bsn: '999990068',
  surname: 'Fictief',
  birthDate: '1995-09-09',
  gender: 'V',
  postcode: '6811DE',
  houseNumber: 3,
};
const ALL_BSNS = [ANNA, BRAM, CHARLIE, DIRK, EVA].map((p) => p.bsn);

const ORG = randomUUID();
const LETTING = randomUUID();
const app = new IdentityValidationTestApp();
let token: string;

beforeAll(async () => {
  await app.start();
  token = app.token(ORG, ['allocation-system']);
  await app.publishReceiptKey();
}, 120_000);

afterAll(async () => {
  await app.stop();
});

// ------------------------------------------------------------------ helpers (playing the other services)

const played = new PlayedServices(app, ORG, LETTING);
const registrationConsent = (purpose: Purpose, stated: Stated) => played.registrationConsent(purpose, stated);
const allocation = (
  registrationId: string,
  coResidents: CoResident[] = [],
  exemptionGroup?: Parameters<PlayedServices['allocation']>[2],
) => played.allocation(registrationId, coResidents, exemptionGroup);
const allocationReceipt = (...args: Parameters<PlayedServices['allocationReceipt']>) =>
  played.allocationReceipt(...args);

async function startSession(receipt: string, purpose: Purpose) {
  const res = await app.call('POST', '/sharing-sessions', token, { receipt, purpose });
  expect(res.status).toBe(201);
  return res.json as { sessionId: string; redirectUrl: string; expiresAt: string };
}

async function script(sessionId: string, action: string, testPersonBsn?: string) {
  const res = await app.simulator('POST', `/simulators/dvmg/sessions/${sessionId}/script`, {
    action,
    ...(testPersonBsn ? { testPersonBsn } : {}),
  });
  expect(res.status).toBe(200);
  return res.json as {
    delivered: boolean;
    deliveryStatus: number | null;
    deliveryResponse: Record<string, unknown>;
  };
}

const session = async (id: string) => (await app.call('GET', `/sharing-sessions/${id}`, token)).json;

const usageOf = (sessionId: string) =>
  app.received.filter(
    (e) => e.type === 'nl.divit.identityvalidation.UsageRecorded' && e.value.sessionId === sessionId,
  );

async function outcomeFor(subjectId: string, type: 'IdentityValidated' | 'IdentityValidationFailed', n = 1) {
  return app.eventsMatching(
    (e) => e.type === `nl.divit.identityvalidation.${type}` && e.value.subjectId === subjectId,
    n,
  );
}

/** Waits until the relay has published everything (no outbox rows left), so absent events are really absent. */
async function drained(): Promise<void> {
  await eventually(() => app.count('outbox_messages'), {
    description: "app.count('outbox_messages') to satisfy (n) => n === 0",
    until: (n) => n === 0,
  });
  // The observer reads asynchronously: wait until it has seen everything on our topics.
  await new Promise((resolve) => setImmediate(resolve));
}

/** A registration validated end to end (zoekpad 2 success, confirmed). */
async function validatedRegistration(person: typeof ANNA) {
  const reg = await registrationConsent('BSN_AT_REGISTRATION', person);
  const started = await startSession(reg.receipt, reg.purpose);
  expect((await script(started.sessionId, 'SHARE', person.bsn)).deliveryStatus).toBe(200);
  const confirmed = await app.call('POST', `/sharing-sessions/${started.sessionId}/confirmation`, token, {
    agrees: true,
  });
  expect(confirmed.status).toBe(200);
  await outcomeFor(reg.registrationId, 'IdentityValidated');
  return { ...reg, sessionId: started.sessionId };
}

// ------------------------------------------------------------------ process 1 and 2

describe('BSN at registration (processes 1 and 2)', () => {
  it('zoekpad 2 succeeds (gender X sent as O); the person confirms; only hash, key id and validated identity are kept', async () => {
    const reg = await registrationConsent('BSN_AT_REGISTRATION', CHARLIE);
    const started = await startSession(reg.receipt, reg.purpose);
    expect(started.redirectUrl).toContain(`/simulators/dvmg/sessions/${started.sessionId}`);
    const delivery = await script(started.sessionId, 'SHARE', CHARLIE.bsn);
    expect(delivery.deliveryStatus).toBe(200);
    expect(delivery.deliveryResponse).toMatchObject({
      state: 'AWAITING_CONFIRMATION',
      sharingOutcome: 'SHARED',
    });

    const shown = await session(started.sessionId);
    expect(shown).toMatchObject({
      state: 'AWAITING_CONFIRMATION',
      validatedIdentity: { surnamePrefix: null, surname: 'Proefpersoon', birthDate: '2000-01-31' },
    });
    expect(JSON.stringify(shown)).not.toContain(CHARLIE.bsn);
    // The identifying fields for the check are gone as soon as the check ended.
    expect(await app.count(`identity_check_requests WHERE consent_id = '${reg.consentId}'`)).toBe(0);

    const confirmed = await app.call('POST', `/sharing-sessions/${started.sessionId}/confirmation`, token, {
      agrees: true,
    });
    expect(confirmed.json).toMatchObject({ state: 'VALIDATED', validatedIdentity: null });
    const [validated] = await outcomeFor(reg.registrationId, 'IdentityValidated');
    expect(validated!.value).toMatchObject({
      consentId: reg.consentId,
      purpose: 'BSN_AT_REGISTRATION',
      allocationId: null,
    });
    const [identity] = await app.eventsMatching(
      (e) =>
        e.type === 'nl.divit.identityvalidation.ValidatedIdentityProvided' && e.key === reg.registrationId,
      1,
    );
    expect(identity!.value).toMatchObject({
      validatedSurname: 'Proefpersoon',
      validatedBirthDate: '2000-01-31',
    });
    const [stored] = await app.query<{ key_id: string; hash: string }>(
      `SELECT key_id, hash FROM bsn_hashes WHERE registration_id = $1`,
      [reg.registrationId],
    );
    // New hashes use the active key k1.
    expect(stored).toEqual({ key_id: 'k1', hash: hmacUnder(Buffer.alloc(32, 9), CHARLIE.bsn) });
    const [row] = await app.query<Record<string, unknown>>(`SELECT * FROM sharing_sessions WHERE id = $1`, [
      started.sessionId,
    ]);
    expect(row).toMatchObject({
      pending_hash: null,
      validated_surname: null,
      state: 'VALIDATED',
      sharing_outcome: 'SHARED',
    });

    // Usage: one DigiD login and one sharing, exactly once each, attributed to the organisation.
    await drained();
    const usage = await app.eventsMatching((e) => usageOf(started.sessionId).includes(e), 2);
    expect(usage.map((u) => u.value.unit).sort()).toEqual(['DATA_SHARING', 'DIGID_LOGIN']);
    expect(usage.every((u) => u.value.organisationId === ORG && u.value.lettingCorporationId === null)).toBe(
      true,
    );
    expect(new Set(usage.map((u) => u.value.usageId)).size).toBe(2);
  });

  it('zoekpad 2 fails, zoekpad 1 succeeds with the corrected surname', async () => {
    const reg = await registrationConsent('BSN_AT_REGISTRATION', { ...ANNA, surname: 'Testhuis' });
    const started = await startSession(reg.receipt, reg.purpose);
    await script(started.sessionId, 'SHARE', ANNA.bsn);
    expect(await session(started.sessionId)).toMatchObject({
      state: 'AWAITING_CONFIRMATION',
      validatedIdentity: { surnamePrefix: 'van der', surname: 'Testhuizen', birthDate: '1990-04-12' },
    });
    await app.call('POST', `/sharing-sessions/${started.sessionId}/confirmation`, token, { agrees: true });
    await outcomeFor(reg.registrationId, 'IdentityValidated');
    const [identity] = await app.eventsMatching(
      (e) =>
        e.type === 'nl.divit.identityvalidation.ValidatedIdentityProvided' && e.key === reg.registrationId,
      1,
    );
    expect(identity!.value).toMatchObject({
      validatedSurnamePrefix: 'van der',
      validatedSurname: 'Testhuizen',
    });
  });

  it('both zoekpaden fail: U3, nothing kept', async () => {
    const reg = await registrationConsent('BSN_AT_REGISTRATION', {
      ...ANNA,
      surname: 'Anders',
      postcode: '9999ZZ',
    });
    const started = await startSession(reg.receipt, reg.purpose);
    const delivery = await script(started.sessionId, 'SHARE', ANNA.bsn);
    expect(delivery.deliveryResponse).toMatchObject({ state: 'FAILED', failureCode: 'U3_BSN_CHECK_FAILED' });
    const [failed] = await outcomeFor(reg.registrationId, 'IdentityValidationFailed');
    expect(failed!.value).toMatchObject({ failure: 'U3_BSN_CHECK_FAILED', allocationId: null });
    expect(await app.count(`bsn_hashes WHERE registration_id = '${reg.registrationId}'`)).toBe(0);
    expect(await app.count(`identity_check_requests WHERE consent_id = '${reg.consentId}'`)).toBe(0);
  });

  it('existing registration uses zoekpad 2 only: an address match does not rescue a wrong surname', async () => {
    const reg = await registrationConsent('BSN_FOR_EXISTING_REGISTRATION', { ...ANNA, surname: 'Testhuis' });
    const started = await startSession(reg.receipt, reg.purpose);
    const delivery = await script(started.sessionId, 'SHARE', ANNA.bsn);
    expect(delivery.deliveryResponse).toMatchObject({ failureCode: 'U3_BSN_CHECK_FAILED' });
  });

  it('the person disagrees with the data shown: U2, the pending hash is deleted', async () => {
    const reg = await registrationConsent('BSN_AT_REGISTRATION', EVA);
    const started = await startSession(reg.receipt, reg.purpose);
    await script(started.sessionId, 'SHARE', EVA.bsn);
    const res = await app.call('POST', `/sharing-sessions/${started.sessionId}/confirmation`, token, {
      agrees: false,
    });
    expect(res.json).toMatchObject({ state: 'FAILED', failureCode: 'U2_DATA_DISPUTED' });
    const [failed] = await outcomeFor(reg.registrationId, 'IdentityValidationFailed');
    expect(failed!.value.failure).toBe('U2_DATA_DISPUTED');
    expect(await app.count(`bsn_hashes WHERE registration_id = '${reg.registrationId}'`)).toBe(0);
    const [row] = await app.query<Record<string, unknown>>(
      `SELECT pending_hash FROM sharing_sessions WHERE id = $1`,
      [started.sessionId],
    );
    expect(row!.pending_hash).toBeNull();
    const again = await app.call('POST', `/sharing-sessions/${started.sessionId}/confirmation`, token, {
      agrees: true,
    });
    expect(again.status).toBe(409);
  });

  it('abort before login: ABORTED_BEFORE_LOGIN, no usage', async () => {
    const reg = await registrationConsent('BSN_AT_REGISTRATION', ANNA);
    const started = await startSession(reg.receipt, reg.purpose);
    await script(started.sessionId, 'ABORT_BEFORE_LOGIN');
    const [failed] = await outcomeFor(reg.registrationId, 'IdentityValidationFailed');
    expect(failed!.value.failure).toBe('ABORTED_BEFORE_LOGIN');
    expect(await session(started.sessionId)).toMatchObject({
      sharingOutcome: 'ABORTED_BEFORE_LOGIN',
      state: 'FAILED',
    });
    expect(await app.count(`identity_check_requests WHERE consent_id = '${reg.consentId}'`)).toBe(0);
    await drained();
    expect(await app.count(`usage_records WHERE session_id = '${started.sessionId}'`)).toBe(0);
    expect(usageOf(started.sessionId)).toHaveLength(0);
  });

  it('abort after login: ABORTED_AFTER_LOGIN, exactly one DIGID_LOGIN', async () => {
    const reg = await registrationConsent('BSN_AT_REGISTRATION', ANNA);
    const started = await startSession(reg.receipt, reg.purpose);
    await script(started.sessionId, 'ABORT_AFTER_LOGIN', ANNA.bsn);
    const [failed] = await outcomeFor(reg.registrationId, 'IdentityValidationFailed');
    expect(failed!.value.failure).toBe('ABORTED_AFTER_LOGIN');
    await drained();
    const usage = await app.eventsMatching((e) => usageOf(started.sessionId).includes(e), 1);
    expect(usage.map((u) => u.value.unit)).toEqual(['DIGID_LOGIN']);
    expect(await app.count(`usage_records WHERE session_id = '${started.sessionId}'`)).toBe(1);
  });

  it('expired session: the sweeper fails it with SESSION_EXPIRED; the identifying data waits for a restart until its TTL', async () => {
    const reg = await registrationConsent('BSN_AT_REGISTRATION', ANNA);
    const started = await startSession(reg.receipt, reg.purpose);
    const timeOut = await script(started.sessionId, 'TIME_OUT', ANNA.bsn);
    expect(timeOut.delivered).toBe(false);
    // Let the session's configured timeout pass (the clock is the database's; no sleeping in the test).
    await app.query(`UPDATE sharing_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      started.sessionId,
    ]);
    const [failed] = await outcomeFor(reg.registrationId, 'IdentityValidationFailed');
    expect(failed!.value.failure).toBe('SESSION_EXPIRED');
    expect(await session(started.sessionId)).toMatchObject({ state: 'FAILED', sharingOutcome: 'EXPIRED' });
    // The check never ran (nothing delivered): the same receipt may start again (sharing-session-restart spec).
    expect(await app.count(`identity_check_requests WHERE consent_id = '${reg.consentId}'`)).toBe(1);
  });

  it('bad signature: refused with 401 problem+json, the session keeps waiting, nothing counted', async () => {
    const reg = await registrationConsent('BSN_AT_REGISTRATION', ANNA);
    const started = await startSession(reg.receipt, reg.purpose);
    const delivery = await script(started.sessionId, 'BAD_SIGNATURE', ANNA.bsn);
    expect(delivery.deliveryStatus).toBe(401);
    expect(delivery.deliveryResponse).toMatchObject({ code: 'DELIVERY_SIGNATURE_INVALID' });
    expect(await session(started.sessionId)).toMatchObject({
      state: 'AWAITING_DELIVERY',
      sharingOutcome: null,
    });
    expect(await app.count(`usage_records WHERE session_id = '${started.sessionId}'`)).toBe(0);
  });

  it('replayed delivery: the second copy is refused (409) and usage stays counted once', async () => {
    const reg = await registrationConsent('BSN_AT_REGISTRATION', BRAM);
    const started = await startSession(reg.receipt, reg.purpose);
    const simulator = app.app.get(DvmgSimulator);
    const envelope = signDataset(simulator.privateKey, {
      sessionId: started.sessionId,
      kind: 'BSN',
      status: 'SHARED',
      loggedIn: true,
      bsn: BRAM.bsn,
      income: null,
      receivedAt: new Date().toISOString(),
    });
    const first = await app.call('POST', '/dvmg/deliveries', null, envelope);
    expect(first.status).toBe(200);
    const replay = await app.call('POST', '/dvmg/deliveries', null, envelope);
    expect(replay.status).toBe(409);
    expect(replay.type).toContain('application/problem+json');
    expect(replay.json.code).toBe('DELIVERY_REPLAYED');
    expect(replay.text).not.toContain(BRAM.bsn);
    expect(await app.count(`usage_records WHERE session_id = '${started.sessionId}'`)).toBe(2);
  });

  it('a dataset of the wrong kind is refused and stops the procedure', async () => {
    const reg = await registrationConsent('BSN_AT_REGISTRATION', BRAM);
    const started = await startSession(reg.receipt, reg.purpose);
    const simulator = app.app.get(DvmgSimulator);
    const envelope = signDataset(simulator.privateKey, {
      sessionId: started.sessionId,
      kind: 'BSN_AND_INCOME',
      status: 'SHARED',
      loggedIn: true,
      bsn: BRAM.bsn,
      income: { amountCents: 100, kind: 'TAXABLE_WAGE', taxYear: 2025 },
      receivedAt: new Date().toISOString(),
    });
    const res = await app.call('POST', '/dvmg/deliveries', null, envelope);
    expect(res.status).toBe(422);
    expect(res.json.code).toBe('DELIVERY_KIND_MISMATCH');
    const [failed] = await outcomeFor(reg.registrationId, 'IdentityValidationFailed');
    expect(failed!.value.failure).toBe('TECHNICAL_ERROR');
  });

  it('unknown session and malformed envelopes are refused with problem+json naming the field', async () => {
    const simulator = app.app.get(DvmgSimulator);
    const unknown = signDataset(simulator.privateKey, {
      sessionId: randomUUID(),
      kind: 'BSN',
      status: 'ABORTED',
      loggedIn: false,
      bsn: null,
      income: null,
      receivedAt: new Date().toISOString(),
    });
    expect((await app.call('POST', '/dvmg/deliveries', null, unknown)).status).toBe(404);
    const bad = await app.call('POST', '/dvmg/deliveries', null, { dataset: 'x' });
    expect(bad.status).toBe(400);
    expect((bad.json.errors as { field: string }[]).map((e) => e.field)).toContain('signature');
  });
});

// ------------------------------------------------------------------ receipts

describe('starting a session needs a valid receipt for the purpose', () => {
  it('refuses bad signatures, unknown keys (retryable), wrong purposes, other organisations and reuse', async () => {
    const reg = await registrationConsent('BSN_AT_REGISTRATION', ANNA);
    const claims = {
      consentId: reg.consentId,
      subjectId: reg.registrationId,
      role: 'HOME_SEEKER' as const,
      registrationId: reg.registrationId,
      organisationId: ORG,
      purpose: 'BSN_AT_REGISTRATION' as const,
    };
    const forged = app.receipt(claims, { key: app.receiptKey.privateKey }).replace(/\.[^.]+$/, '.AAAA');
    const badSig = await app.call('POST', '/sharing-sessions', token, {
      receipt: forged,
      purpose: 'BSN_AT_REGISTRATION',
    });
    expect(badSig.json).toMatchObject({ status: 422, code: 'RECEIPT_SIGNATURE_INVALID' });

    const unknownKid = await app.call('POST', '/sharing-sessions', token, {
      receipt: app.receipt(claims, { kid: 'not-yet-published' }),
      purpose: 'BSN_AT_REGISTRATION',
    });
    expect(unknownKid.json).toMatchObject({ status: 409, code: 'RECEIPT_KEY_UNKNOWN', retryable: true });

    const wrongPurpose = await app.call('POST', '/sharing-sessions', token, {
      receipt: reg.receipt,
      purpose: 'BSN_AND_INCOME_AT_ALLOCATION',
    });
    expect(wrongPurpose.json).toMatchObject({ status: 422, code: 'RECEIPT_PURPOSE_MISMATCH' });

    const otherOrg = await app.call(
      'POST',
      '/sharing-sessions',
      app.token(randomUUID(), ['allocation-system']),
      {
        receipt: reg.receipt,
        purpose: 'BSN_AT_REGISTRATION',
      },
    );
    expect(otherOrg.json).toMatchObject({ status: 403, code: 'RECEIPT_ORGANISATION_MISMATCH' });

    const wrongRole = await app.call('POST', '/sharing-sessions', app.token(ORG, ['finance']), {
      receipt: reg.receipt,
      purpose: 'BSN_AT_REGISTRATION',
    });
    expect(wrongRole.status).toBe(403);

    const started = await startSession(reg.receipt, reg.purpose);
    const other = await app.call(
      'GET',
      `/sharing-sessions/${started.sessionId}`,
      app.token(randomUUID(), ['allocation-system']),
    );
    expect(other.status).toBe(404);
    // MijnOverheid reports the person's answer: the receipt is used.
    await script(started.sessionId, 'ABORT_BEFORE_LOGIN');
    const reuse = await app.call('POST', '/sharing-sessions', token, {
      receipt: reg.receipt,
      purpose: 'BSN_AT_REGISTRATION',
    });
    expect(reuse.json).toMatchObject({ status: 409, code: 'RECEIPT_ALREADY_USED' });
    const invalid = await app.call('POST', '/sharing-sessions', token, {
      receipt: reg.receipt,
      purpose: 'NOPE',
      extra: 1,
    });
    expect(invalid.status).toBe(400);
    expect((invalid.json.errors as { field: string }[]).map((e) => e.field).sort()).toEqual([
      'extra',
      'purpose',
    ]);
  });

  it('answers 409 (retryable) while the identifying data has not arrived, instead of holding a BSN', async () => {
    const registrationId = randomUUID();
    const receipt = app.receipt({
      consentId: randomUUID(),
      subjectId: registrationId,
      role: 'HOME_SEEKER',
      registrationId,
      organisationId: ORG,
      purpose: 'BSN_AT_REGISTRATION',
    });
    const res = await app.call('POST', '/sharing-sessions', token, {
      receipt,
      purpose: 'BSN_AT_REGISTRATION',
    });
    expect(res.type).toContain('application/problem+json');
    expect(res.json).toMatchObject({ status: 409, code: 'IDENTITY_DATA_NOT_YET_RECEIVED', retryable: true });
  });

  it('a withdrawn consent cannot start a session; an open session under it stops with U1', async () => {
    const reg = await registrationConsent('BSN_AT_REGISTRATION', ANNA);
    const started = await startSession(reg.receipt, reg.purpose);
    await app.publish(ConsentWithdrawnEvent, [
      {
        key: reg.registrationId,
        value: {
          consentId: reg.consentId,
          organisationId: ORG,
          registrationId: reg.registrationId,
          subjectId: reg.registrationId,
          subjectRole: 'HOME_SEEKER',
          allocationId: null,
          purpose: 'BSN_AT_REGISTRATION',
          withdrawnAt: Date.now(),
        },
      },
    ]);
    const [failed] = await outcomeFor(reg.registrationId, 'IdentityValidationFailed');
    expect(failed!.value.failure).toBe('U1_NO_CONSENT');
    expect(await session(started.sessionId)).toMatchObject({ state: 'FAILED', failureCode: 'U1_NO_CONSENT' });
    const again = app.receipt({
      consentId: reg.consentId,
      subjectId: reg.registrationId,
      role: 'HOME_SEEKER',
      registrationId: reg.registrationId,
      organisationId: ORG,
      purpose: 'BSN_AT_REGISTRATION',
      receiptId: 'another-receipt',
    });
    const res = await app.call('POST', '/sharing-sessions', token, {
      receipt: again,
      purpose: 'BSN_AT_REGISTRATION',
    });
    expect(res.json).toMatchObject({ status: 409, code: 'CONSENT_WITHDRAWN' });
  });

  it('consent refused for a BSN process: U1 is published', async () => {
    const registrationId = randomUUID();
    const allocationId = randomUUID();
    await app.publish(ConsentRefusedEvent, [
      {
        key: registrationId,
        value: {
          consentId: randomUUID(),
          organisationId: ORG,
          registrationId,
          subjectId: registrationId,
          subjectRole: 'HOME_SEEKER',
          allocationId,
          purpose: 'BSN_AND_INCOME_AT_ALLOCATION',
          refusedAt: Date.now(),
        },
      },
    ]);
    const [failed] = await outcomeFor(registrationId, 'IdentityValidationFailed');
    expect(failed!.value).toMatchObject({ failure: 'U1_NO_CONSENT', allocationId });
  });
});

// ------------------------------------------------------------------ processes 3 and 4

describe('BSN and income at allocation (processes 3 and 4)', () => {
  let anna: Awaited<ReturnType<typeof validatedRegistration>>;

  beforeAll(async () => {
    anna = await validatedRegistration(ANNA);
  });

  it('home seeker: the shared BSN matches the stored hash; income is shared for the pseudonym, usage goes to the letting corporation', async () => {
    const allocationId = await allocation(anna.registrationId);
    const started = await startSession(
      allocationReceipt(anna.registrationId, allocationId),
      'BSN_AND_INCOME_AT_ALLOCATION',
    );
    const delivery = await script(started.sessionId, 'SHARE', ANNA.bsn);
    expect(delivery.deliveryResponse).toMatchObject({ state: 'VALIDATED' });
    const [income] = await app.eventsMatching(
      (e) => e.type === 'nl.divit.identityvalidation.IncomeShared' && e.value.sharingId === started.sessionId,
      1,
    );
    expect(income!.key).toBe(allocationId);
    expect(income!.value).toMatchObject({
      allocationId,
      registrationId: anna.registrationId,
      subjectId: anna.registrationId,
      subjectRole: 'HOME_SEEKER',
      incomeKind: 'AGGREGATE_INCOME',
      signatureVerified: true,
    });
    expect(typeof income!.value.incomeCents).toBe('number');
    const validated = await outcomeFor(anna.registrationId, 'IdentityValidated', 2);
    expect(validated.some((v) => v.value.allocationId === allocationId)).toBe(true);
    const usage = await app.eventsMatching((e) => usageOf(started.sessionId).includes(e), 2);
    expect(
      usage.every((u) => u.value.lettingCorporationId === LETTING && u.value.allocationId === allocationId),
    ).toBe(true);
  });

  it('home seeker: another person shares (OTHER_PERSON): U4 with the allocation id, no income', async () => {
    const allocationId = await allocation(anna.registrationId);
    const started = await startSession(
      allocationReceipt(anna.registrationId, allocationId),
      'BSN_AND_INCOME_AT_ALLOCATION',
    );
    const delivery = await script(started.sessionId, 'OTHER_PERSON', ANNA.bsn);
    expect(delivery.deliveryResponse).toMatchObject({ failureCode: 'U4_HASH_MISMATCH' });
    const failed = await app.eventsMatching(
      (e) =>
        e.type === 'nl.divit.identityvalidation.IdentityValidationFailed' &&
        e.value.allocationId === allocationId,
      1,
    );
    expect(failed[0]!.value.failure).toBe('U4_HASH_MISMATCH');
    await drained();
    expect(
      app.received.filter(
        (e) =>
          e.type === 'nl.divit.identityvalidation.IncomeShared' && e.value.sharingId === started.sessionId,
      ),
    ).toHaveLength(0);
  });

  it('an allocation that ends while its session is open: its own outcome, no failure, the hash stays (issue 16 item 5)', async () => {
    const closing = await allocation(anna.registrationId);
    const receipt = allocationReceipt(anna.registrationId, closing);
    const open = await startSession(receipt, 'BSN_AND_INCOME_AT_ALLOCATION');
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
    await app.until(`SELECT 1 FROM sharing_sessions WHERE id = $1 AND state = 'ALLOCATION_CLOSED'`, [
      open.sessionId,
    ]);
    expect(await session(open.sessionId)).toMatchObject({
      state: 'ALLOCATION_CLOSED',
      failureCode: null,
      sharingOutcome: null,
    });
    // MijnOverheid delivering afterwards is refused as closed; nothing is counted or shared.
    const late = await script(open.sessionId, 'SHARE', ANNA.bsn);
    expect(late.deliveryStatus).toBe(409);
    expect(late.deliveryResponse).toMatchObject({ code: 'DELIVERY_SESSION_CLOSED' });
    // The same receipt, or any receipt for the ended allocation, starts nothing.
    const again = await app.call('POST', '/sharing-sessions', token, {
      receipt,
      purpose: 'BSN_AND_INCOME_AT_ALLOCATION',
    });
    expect(again.status).toBe(409);
    const fresh = await app.call('POST', '/sharing-sessions', token, {
      receipt: allocationReceipt(anna.registrationId, closing),
      purpose: 'BSN_AND_INCOME_AT_ALLOCATION',
    });
    expect(fresh.status).toBe(409);
    expect(fresh.json.code).toBe('ALLOCATION_CLOSED');
    await drained();
    expect(
      app.received.filter(
        (e) =>
          e.type === 'nl.divit.identityvalidation.IdentityValidationFailed' &&
          e.value.allocationId === closing,
      ),
    ).toHaveLength(0);
    expect(usageOf(open.sessionId)).toHaveLength(0);
    // Before: TECHNICAL_ERROR was published, retention erased the hash and the next allocation failed U4.
    expect(await app.count(`bsn_hashes WHERE registration_id = '${anna.registrationId}'`)).toBe(1);
    const next = await allocation(anna.registrationId);
    const nextSession = await startSession(
      allocationReceipt(anna.registrationId, next),
      'BSN_AND_INCOME_AT_ALLOCATION',
    );
    expect((await script(nextSession.sessionId, 'SHARE', ANNA.bsn)).deliveryResponse).toMatchObject({
      state: 'VALIDATED',
    });
  });

  it('an exempted household: no sharing session starts, MijnOverheid is not asked, nothing is billed (issue 16 item 4)', async () => {
    const exempt = await allocation(anna.registrationId, [], 'STUDENTS_WITH_STUDY_FINANCE');
    const sessionsBefore = await app.count('sharing_sessions');
    const usageBefore = await app.count('usage_records');
    const refused = await app.call('POST', '/sharing-sessions', token, {
      receipt: allocationReceipt(anna.registrationId, exempt),
      purpose: 'BSN_AND_INCOME_AT_ALLOCATION',
    });
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.json.code).toBe('ALLOCATION_EXEMPT');
    expect(await app.count('sharing_sessions')).toBe(sessionsBefore);
    await drained();
    expect(await app.count('usage_records')).toBe(usageBefore);
    expect(
      app.received.filter(
        (e) =>
          e.type === 'nl.divit.identityvalidation.UsageRecorded' &&
          (e.value as { allocationId?: string | null }).allocationId === exempt,
      ),
    ).toHaveLength(0);
  });

  it('co-resident: the stated surname and birth date are verified through BV BSN with the shared BSN', async () => {
    const good = { memberId: randomUUID(), surname: BRAM.surname, birthDate: BRAM.birthDate };
    const wrong = { memberId: randomUUID(), surname: DIRK.surname, birthDate: '1999-01-01' };
    const allocationId = await allocation(anna.registrationId, [good, wrong]);

    const s1 = await startSession(
      allocationReceipt(anna.registrationId, allocationId, good.memberId, 'CO_RESIDENT'),
      'BSN_AND_INCOME_AT_ALLOCATION',
    );
    expect((await script(s1.sessionId, 'SHARE', BRAM.bsn)).deliveryResponse).toMatchObject({
      state: 'VALIDATED',
    });
    const [income] = await app.eventsMatching(
      (e) => e.type === 'nl.divit.identityvalidation.IncomeShared' && e.value.subjectId === good.memberId,
      1,
    );
    expect(income!.value).toMatchObject({
      subjectRole: 'CO_RESIDENT',
      allocationId,
      incomeKind: 'TAXABLE_WAGE',
    });
    expect(await app.count(`co_resident_identities WHERE member_id = '${good.memberId}'`)).toBe(0);

    const s2 = await startSession(
      allocationReceipt(anna.registrationId, allocationId, wrong.memberId, 'CO_RESIDENT'),
      'BSN_AND_INCOME_AT_ALLOCATION',
    );
    expect((await script(s2.sessionId, 'SHARE', DIRK.bsn)).deliveryResponse).toMatchObject({
      failureCode: 'U3_BSN_CHECK_FAILED',
    });
    const [failed] = await outcomeFor(wrong.memberId, 'IdentityValidationFailed');
    expect(failed!.value).toMatchObject({ subjectRole: 'CO_RESIDENT', allocationId });
    expect(await app.count(`co_resident_identities WHERE member_id = '${wrong.memberId}'`)).toBe(0);
  });

  it('key rotation: a hash made under the old key still matches and is re-hashed with the active key', async () => {
    const registrationId = randomUUID();
    await app.query(
      `INSERT INTO bsn_hashes (registration_id, organisation_id, consent_id, key_id, hash, validated_surname, validated_birth_date)
       VALUES ($1, $2, $3, 'k0', $4, 'Voorbeeld', '1978-06-21')`,
      [registrationId, ORG, randomUUID(), hmacUnder(OLD_KEY, DIRK.bsn)],
    );
    const allocationId = await allocation(registrationId);
    const started = await startSession(
      allocationReceipt(registrationId, allocationId),
      'BSN_AND_INCOME_AT_ALLOCATION',
    );
    expect((await script(started.sessionId, 'SHARE', DIRK.bsn)).deliveryResponse).toMatchObject({
      state: 'VALIDATED',
    });
    const [row] = await app.query<{ key_id: string; hash: string }>(
      `SELECT key_id, hash FROM bsn_hashes WHERE registration_id = $1`,
      [registrationId],
    );
    expect(row).toEqual({ key_id: 'k1', hash: hmacUnder(Buffer.alloc(32, 9), DIRK.bsn) });
  });

  it('withdrawal erases the stored hash at once; a later allocation then fails U4', async () => {
    await app.publish(ConsentWithdrawnEvent, [
      {
        key: anna.registrationId,
        value: {
          consentId: anna.consentId,
          organisationId: ORG,
          registrationId: anna.registrationId,
          subjectId: anna.registrationId,
          subjectRole: 'HOME_SEEKER',
          allocationId: null,
          purpose: 'BSN_AT_REGISTRATION',
          withdrawnAt: Date.now(),
        },
      },
    ]);
    await app.until(`SELECT 1 FROM bsn_hashes WHERE registration_id = $1`, [anna.registrationId], false);
    const allocationId = await allocation(anna.registrationId);
    const started = await startSession(
      allocationReceipt(anna.registrationId, allocationId),
      'BSN_AND_INCOME_AT_ALLOCATION',
    );
    expect((await script(started.sessionId, 'SHARE', ANNA.bsn)).deliveryResponse).toMatchObject({
      failureCode: 'U4_HASH_MISMATCH',
    });
  });
});

// ------------------------------------------------------------------ erasure, schema, leaks

describe('erasure commands, schema and the BSN leak scan', () => {
  it('erases HASHED_BSN for a registration and acknowledges; ignores other services; dead-letters foreign categories', async () => {
    const bram = await validatedRegistration(BRAM);
    const erasureId = randomUUID();
    const base = {
      reason: 'REGISTRATION_DEREGISTERED' as const,
      policyId: 'default/HASHED_BSN',
      organisationId: null,
      registrationId: bram.registrationId,
      subjectId: null,
      allocationId: null,
      recordedBefore: null,
      requestedAt: Date.now(),
    };
    await app.publish(ErasureRequestedEvent, [
      {
        key: bram.registrationId,
        value: { ...base, erasureId: randomUUID(), targetService: 'CONSENT', category: 'HASHED_BSN' },
      },
      {
        key: bram.registrationId,
        value: { ...base, erasureId, targetService: 'IDENTITY_VALIDATION', category: 'HASHED_BSN' },
      },
    ]);
    const [ack] = await app.eventsMatching(
      (e: ReceivedEvent) =>
        e.type === 'nl.divit.identityvalidation.IdentityErasureCompleted' && e.value.erasureId === erasureId,
      1,
    );
    expect(ack!.value).toMatchObject({ category: 'HASHED_BSN', erasedCount: 1 });
    expect(await app.count(`bsn_hashes WHERE registration_id = '${bram.registrationId}'`)).toBe(0);
    await drained();
    expect(
      app.received.filter((e) => e.type === 'nl.divit.identityvalidation.IdentityErasureCompleted'),
    ).toHaveLength(1);

    // A category this service does not own, addressed to it, is misrouted: dead-lettered with the reason.
    const [misroutedId] = await app.publish(ErasureRequestedEvent, [
      {
        key: bram.registrationId,
        value: {
          ...base,
          erasureId: randomUUID(),
          targetService: 'IDENTITY_VALIDATION',
          category: 'USED_INCOME',
        },
      },
    ]);
    const kafka = createKafka({ brokers: app.config.KAFKA_BROKERS, clientId: `${app.prefix}dlq-reader` });
    const letters = await eventually(() => readDeadLetters(kafka, app.topics.name('dlqIdentityValidation')), {
      description:
        "readDeadLetters(kafka, app.topics.name('dlqIdentityValidation')) to satisfy (found) => found.some((l) => l.eventId === misroutedId)",
      until: (found) => found.some((l) => l.eventId === misroutedId),
    });
    expect(letters.find((l) => l.eventId === misroutedId)?.errorCode).toBe('ERASURE_CATEGORY_NOT_OWNED');
  });

  it('entities and migrations agree', async () => {
    expect(await pendingSchemaChanges(app.db.dataSource)).toEqual([]);
  });

  it('no test BSN appears in any table, on any topic written, or in the logs, in any obvious encoding', async () => {
    await drained();
    const kafka = createKafka({ brokers: app.config.KAFKA_BROKERS, clientId: `${app.prefix}leak-scan` });
    const topics = Object.values(topicCatalogue).map((t) => app.topics.name(t.key));
    const records = await readTopicRecords(kafka, topics);
    expect(records.length).toBeGreaterThan(50);
    const databases = [
      { name: app.db.name, query: (sql: string, params?: unknown[]) => app.query(sql, params ?? []) },
    ];

    // The scanner finds what it looks for (positive controls), …
    const controls = await scanForBsnLeaks({
      logs: [
        `a ${ANNA.bsn} b`,
        `x ${Buffer.from(`id=${ANNA.bsn}`).toString('base64')} y`,
        Buffer.from(ANNA.bsn).toString('hex'),
        '9999.90.019',
        [...ANNA.bsn].reverse().join(''),
      ],
      topics: [
        {
          topic: 't',
          partition: 0,
          offset: '0',
          key: null,
          value: Buffer.from(ANNA.bsn, 'utf16le'),
          headers: {},
        },
      ],
      bsns: [ANNA.bsn],
    });
    expect(new Set(controls.map((h) => h.location)).size).toBe(6);

    // … and finds nothing in what the scenarios above left behind.
    expect(capturedLogs.length).toBeGreaterThan(20);
    const hits = await scanForBsnLeaks({ databases, topics: records, logs: capturedLogs, bsns: ALL_BSNS });
    expect(hits).toEqual([]);
  });
});
