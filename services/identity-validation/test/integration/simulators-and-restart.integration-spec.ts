// Issue 13 items 8 and 9a: the simulator endpoints sit behind their own switch and token; the simulated
// MijnOverheid keeps its sessions across a restart of the service; a receipt whose session MijnOverheid
// never reported on may start a new one.
import { randomUUID } from 'node:crypto';
import { ConsentGrantedEvent, IdentityCheckRequestedEvent } from '@divit/contracts';
import { IdentityValidationTestApp, SIMULATOR_TOKEN } from './support';

/** Fictional test person of the simulator (elfproef-valid 99999xxxx test BSN). */
const ANNA = { bsn: '999990019', surname: 'Testhuizen', birthDate: '1990-04-12', gender: 'V' };
const PURPOSE = 'BSN_AT_REGISTRATION' as const;
const ORG = randomUUID();
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

/** Plays consent and registration: consent granted and the identifying data for the check. */
async function registrationConsent() {
  const registrationId = randomUUID();
  const consentId = randomUUID();
  await app.publish(ConsentGrantedEvent, [
    {
      key: registrationId,
      value: {
        consentId,
        organisationId: ORG,
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
  await app.publish(IdentityCheckRequestedEvent, [
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
        genderMarker: ANNA.gender,
        postcode: null,
        houseNumber: null,
        houseNumberAddition: null,
        requestedAt: Date.now(),
      },
    },
  ]);
  await app.until(`SELECT 1 FROM identity_check_requests WHERE consent_id = $1`, [consentId]);
  const receipt = app.receipt({
    consentId,
    subjectId: registrationId,
    role: 'HOME_SEEKER',
    registrationId,
    organisationId: ORG,
    purpose: PURPOSE,
  });
  return { registrationId, consentId, receipt };
}

async function start(receipt: string) {
  const res = await app.call('POST', '/sharing-sessions', token, { receipt, purpose: PURPOSE });
  return res;
}

const share = (sessionId: string) =>
  app.simulator('POST', `/simulators/dvmg/sessions/${sessionId}/script`, {
    action: 'SHARE',
    testPersonBsn: ANNA.bsn,
  });

const view = async (id: string) => (await app.call('GET', `/sharing-sessions/${id}`, token)).json;

describe('simulator endpoints: own switch and token', () => {
  it('refuses every simulator route without the token or with a wrong one (401 problem+json)', async () => {
    const reg = await registrationConsent();
    const started = (await start(reg.receipt)).json as { sessionId: string };
    const id = started.sessionId;
    const routes: [string, string, unknown?][] = [
      ['GET', '/simulators/dvmg/test-persons'],
      ['GET', `/simulators/dvmg/sessions/${id}`],
      ['POST', `/simulators/dvmg/sessions/${id}/login`, { testPersonBsn: ANNA.bsn }],
      ['POST', `/simulators/dvmg/sessions/${id}/share`, {}],
      ['POST', `/simulators/dvmg/sessions/${id}/abort`, {}],
      ['POST', `/simulators/dvmg/sessions/${id}/script`, { action: 'SHARE' }],
      ['GET', '/simulators/bvbsn/behaviour'],
      ['POST', '/simulators/bvbsn/behaviour', { failNextCalls: 1 }],
    ];
    for (const [method, path, body] of routes) {
      for (const wrong of [null, 'x'.repeat(43), `${SIMULATOR_TOKEN}x`]) {
        const res = await app.simulator(method, path, body, wrong);
        expect({ path, status: res.status, type: res.type }).toEqual({
          path,
          status: 401,
          type: expect.stringContaining('application/problem+json') as string,
        });
        expect(res.json.code).toBe('SIMULATOR_TOKEN_INVALID');
      }
    }
    // Nothing happened to the session.
    expect(await view(id)).toMatchObject({ state: 'AWAITING_DELIVERY' });
    expect((await app.simulator('GET', '/simulators/bvbsn/behaviour')).json).toMatchObject({
      failNextCalls: 0,
    });
  });

  it('with the token the script completes the session', async () => {
    const reg = await registrationConsent();
    const started = (await start(reg.receipt)).json as { sessionId: string };
    const res = await share(started.sessionId);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ delivered: true, deliveryStatus: 200 });
    expect(await view(started.sessionId)).toMatchObject({ state: 'AWAITING_CONFIRMATION' });
  });

  it("the redirect URL carries a capability for that session's pages only", async () => {
    const first = await registrationConsent();
    const second = await registrationConsent();
    const a = (await start(first.receipt)).json as { sessionId: string; redirectUrl: string };
    const b = (await start(second.receipt)).json as { sessionId: string; redirectUrl: string };
    const pathOf = (url: string) => new URL(url).pathname + new URL(url).search;
    expect(a.redirectUrl).toMatch(/\?access=[A-Za-z0-9_-]{43}$/);

    const page = await app.raw('GET', pathOf(a.redirectUrl));
    expect(page.status).toBe(200);
    expect(page.body.toString('utf8')).toContain('SIMULATOR');
    // The page's forms carry the capability on.
    expect(page.body.toString('utf8')).toContain(`${a.sessionId}/login?access=`);

    // A's capability does not open B's pages.
    const access = new URL(a.redirectUrl).search;
    const foreign = await app.raw('GET', `/simulators/dvmg/sessions/${b.sessionId}${access}`);
    expect(foreign.status).toBe(401);
    const foreignScript = await app.raw('POST', `/simulators/dvmg/sessions/${b.sessionId}/script${access}`, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'SHARE' }),
    });
    expect(foreignScript.status).toBe(401);
    expect(await view(b.sessionId)).toMatchObject({ state: 'AWAITING_DELIVERY' });
  });
});

describe('a crash does not lose a sharing session (item 9a)', () => {
  it('a session started before a restart is completed after it: the simulator kept its session', async () => {
    const reg = await registrationConsent();
    const started = (await start(reg.receipt)).json as { sessionId: string };
    // Simulated DigiD login before the restart: that too must survive.
    const login = await app.simulator('POST', `/simulators/dvmg/sessions/${started.sessionId}/login`, {
      testPersonBsn: ANNA.bsn,
    });
    expect(login.status).toBe(200);

    await app.restart();

    const shared = await app.simulator('POST', `/simulators/dvmg/sessions/${started.sessionId}/share`, {});
    expect(shared.status).toBe(200);
    expect(shared.text).toContain('Levering: HTTP 200');
    expect(await view(started.sessionId)).toMatchObject({ state: 'AWAITING_CONFIRMATION' });
    const confirmed = await app.call('POST', `/sharing-sessions/${started.sessionId}/confirmation`, token, {
      agrees: true,
    });
    expect(confirmed.json).toMatchObject({ state: 'VALIDATED' });
  }, 120_000);

  it('a receipt whose session was lost starts a new one at once; the old one is closed', async () => {
    const reg = await registrationConsent();
    const lost = (await start(reg.receipt)).json as { sessionId: string };
    const again = await start(reg.receipt);
    expect(again.status).toBe(201);
    const fresh = again.json as { sessionId: string };
    expect(fresh.sessionId).not.toBe(lost.sessionId);
    expect(await view(lost.sessionId)).toMatchObject({ state: 'SUPERSEDED', failureCode: null });
    // A late delivery for the replaced session is refused; the new one completes.
    const late = await share(lost.sessionId);
    expect(late.json).toMatchObject({ delivered: true, deliveryStatus: 409 });
    expect(late.json.deliveryResponse).toMatchObject({ code: 'DELIVERY_SESSION_CLOSED' });
    expect((await share(fresh.sessionId)).json).toMatchObject({ deliveryStatus: 200 });
    expect(await view(fresh.sessionId)).toMatchObject({ state: 'AWAITING_CONFIRMATION' });
    // Reported on: the receipt is now used.
    expect((await start(reg.receipt)).json).toMatchObject({ status: 409, code: 'RECEIPT_ALREADY_USED' });
  });

  it('after a session expired undelivered, the same receipt starts a new session that completes', async () => {
    const reg = await registrationConsent();
    const expired = (await start(reg.receipt)).json as { sessionId: string };
    await app.query(`UPDATE sharing_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      expired.sessionId,
    ]);
    await app.until(`SELECT 1 FROM sharing_sessions WHERE id = $1 AND state = 'FAILED'`, [expired.sessionId]);
    expect(await view(expired.sessionId)).toMatchObject({
      failureCode: 'SESSION_EXPIRED',
      sharingOutcome: 'EXPIRED',
    });

    const again = await start(reg.receipt);
    expect(again.status).toBe(201);
    const fresh = again.json as { sessionId: string };
    expect((await share(fresh.sessionId)).json).toMatchObject({ deliveryStatus: 200 });
    const confirmed = await app.call('POST', `/sharing-sessions/${fresh.sessionId}/confirmation`, token, {
      agrees: true,
    });
    expect(confirmed.json).toMatchObject({ state: 'VALIDATED' });
    await app.eventsMatching(
      (e) =>
        e.type === 'nl.divit.identityvalidation.IdentityValidated' &&
        e.value.subjectId === reg.registrationId,
      1,
    );
  });
});

describe('simulator endpoints switched off', () => {
  it('answers 404 problem+json for every simulator route, token or not', async () => {
    const reg = await registrationConsent();
    const started = (await start(reg.receipt)).json as { sessionId: string };
    await app.restart({ SIMULATOR_ENDPOINTS_ENABLED: 'false' });
    for (const [method, path] of [
      ['GET', '/simulators/dvmg/test-persons'],
      ['POST', `/simulators/dvmg/sessions/${started.sessionId}/script`],
      ['GET', '/simulators/bvbsn/behaviour'],
    ] as const) {
      const res = await app.simulator(method, path, method === 'POST' ? { action: 'SHARE' } : undefined);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(res.type).toContain('application/problem+json');
    }
    // The service itself still works (the simulator adapter is in use, only its HTTP face is gone).
    expect(await view(started.sessionId)).toMatchObject({ state: 'AWAITING_DELIVERY' });
  }, 120_000);
});
