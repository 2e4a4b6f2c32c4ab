// The response schemas the OpenAPI document is generated from describe what the service really answers:
// every JSON success response of the sharing sessions, the MijnOverheid delivery and the simulators is parsed
// with its (strict) schema, so a field the code adds (a BSN, say), drops or fills differently fails here.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ConsentGrantedEvent, IdentityCheckRequestedEvent } from '@divit/contracts';
import { bvBsnSimulatorBehaviourResponseSchema } from '../../src/bvbsn/dto/bvbsn-simulator.dto';
import { scriptResponseSchema, testPersonsResponseSchema } from '../../src/dvmg/dto/dvmg-simulator.dto';
import {
  deliveryAcceptedResponseSchema,
  sessionResponseSchema,
  startedSessionResponseSchema,
} from '../../src/sharing-sessions/dto/sharing-session-response.dto';
import { IdentityValidationTestApp } from './support';

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

/** Expects `status` and a JSON body, and parses that body with the schema (throws naming each mismatch). */
function body<S extends z.ZodType>(
  schema: S,
  res: { status: number; type: string; text: string },
  status = 200,
): z.output<S> {
  expect({ status: res.status, type: res.type }).toEqual({
    status,
    type: expect.stringContaining('application/json') as unknown,
  });
  return schema.parse(JSON.parse(res.text));
}

/** Plays consent and registration: consent granted and the identifying data for the check; a receipt. */
async function registrationConsent(): Promise<string> {
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
  return app.receipt({
    consentId,
    subjectId: registrationId,
    role: 'HOME_SEEKER',
    registrationId,
    organisationId: ORG,
    purpose: PURPOSE,
  });
}

async function startSession() {
  const res = await app.call('POST', '/sharing-sessions', token, {
    receipt: await registrationConsent(),
    purpose: PURPOSE,
  });
  return body(startedSessionResponseSchema, res, 201);
}

const session = async (id: string) =>
  body(sessionResponseSchema, await app.call('GET', `/sharing-sessions/${id}`, token));

/** A simulator HTML page: 200 text/html with the SIMULATOR banner. */
async function page(method: string, path: string, form?: Record<string, string>) {
  const res = await app.raw(method, path, {
    ...(form
      ? {
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(form).toString(),
        }
      : {}),
  });
  expect({ status: res.status, type: res.type }).toEqual({ status: 200, type: 'text/html; charset=utf-8' });
  expect(res.body.toString('utf8')).toContain('SIMULATOR');
}

describe('sharing sessions and the MijnOverheid pages (simulator) answer as documented', () => {
  it('start, the status while waiting, the pages of a whole flow, the confirmation; never the BSN', async () => {
    const started = await startSession();
    expect(new Date(started.expiresAt).getTime()).toBeGreaterThan(Date.now());
    const waiting = await session(started.sessionId);
    expect(waiting).toMatchObject({
      state: 'AWAITING_DELIVERY',
      sharingOutcome: null,
      failureCode: null,
      validatedIdentity: null,
    });

    // The person's browser: landing page, simulated DigiD login, share (the capability rides in the URL).
    const redirect = new URL(started.redirectUrl);
    const base = `${redirect.pathname}`;
    await page('GET', `${base}${redirect.search}`);
    await page('POST', `${base}/login${redirect.search}`, { testPersonBsn: ANNA.bsn });
    await page('POST', `${base}/share${redirect.search}`);

    const awaiting = await app.call('GET', `/sharing-sessions/${started.sessionId}`, token);
    expect(awaiting.text).not.toContain(ANNA.bsn);
    expect(body(sessionResponseSchema, awaiting)).toMatchObject({
      state: 'AWAITING_CONFIRMATION',
      sharingOutcome: 'SHARED',
      validatedIdentity: { surname: ANNA.surname, birthDate: ANNA.birthDate },
    });
    const confirmed = body(
      sessionResponseSchema,
      await app.call('POST', `/sharing-sessions/${started.sessionId}/confirmation`, token, { agrees: true }),
    );
    expect(confirmed).toMatchObject({ state: 'VALIDATED', validatedIdentity: null });
    expect(confirmed.completedAt).not.toBeNull();
  });

  it('the abort page ends the session with its outcome', async () => {
    const started = await startSession();
    const redirect = new URL(started.redirectUrl);
    await page('POST', `${redirect.pathname}/abort${redirect.search}`);
    expect(await session(started.sessionId)).toMatchObject({
      state: 'FAILED',
      sharingOutcome: 'ABORTED_BEFORE_LOGIN',
      failureCode: 'ABORTED_BEFORE_LOGIN',
    });
  });

  it("a scripted flow: the simulator's answer and the service's answer to the delivery (POST /dvmg/deliveries)", async () => {
    const started = await startSession();
    const scripted = body(
      scriptResponseSchema,
      await app.simulator('POST', `/simulators/dvmg/sessions/${started.sessionId}/script`, {
        action: 'SHARE',
        testPersonBsn: ANNA.bsn,
      }),
    );
    expect(scripted).toMatchObject({
      simulator: true,
      action: 'SHARE',
      delivered: true,
      deliveryStatus: 200,
    });
    // The simulator passes on what POST /dvmg/deliveries answered it.
    expect(deliveryAcceptedResponseSchema.parse(scripted.deliveryResponse)).toEqual({
      sessionId: started.sessionId,
      state: 'AWAITING_CONFIRMATION',
      sharingOutcome: 'SHARED',
      failureCode: null,
    });

    const timedOut = await startSession();
    const nothing = body(
      scriptResponseSchema,
      await app.simulator('POST', `/simulators/dvmg/sessions/${timedOut.sessionId}/script`, {
        action: 'TIME_OUT',
      }),
    );
    expect(nothing).toEqual({
      simulator: true,
      action: 'TIME_OUT',
      delivered: false,
      deliveryStatus: null,
      deliveryResponse: null,
    });
  });

  it('the simulator controls: test persons and the BV BSN behaviour', async () => {
    const persons = body(
      testPersonsResponseSchema,
      await app.simulator('GET', '/simulators/dvmg/test-persons'),
    );
    expect(persons.testPersons.map((p) => p.bsn)).toContain(ANNA.bsn);
    const before = body(
      bvBsnSimulatorBehaviourResponseSchema,
      await app.simulator('GET', '/simulators/bvbsn/behaviour'),
    );
    expect(before).toEqual({ simulator: true, latencyMs: 0, errorRate: 0, failNextCalls: 0 });
    const changed = body(
      bvBsnSimulatorBehaviourResponseSchema,
      await app.simulator('POST', '/simulators/bvbsn/behaviour', { failNextCalls: 0, latencyMs: 1 }),
    );
    expect(changed).toEqual({ simulator: true, latencyMs: 1, errorRate: 0, failNextCalls: 0 });
    body(
      bvBsnSimulatorBehaviourResponseSchema,
      await app.simulator('POST', '/simulators/bvbsn/behaviour', { latencyMs: 0 }),
    );
  });
});
