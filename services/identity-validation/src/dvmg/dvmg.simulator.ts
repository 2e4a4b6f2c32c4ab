import { createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import { createLogger } from '@divit/observability';
import { findTestPerson, latestIncome, SIMULATED_TEST_PERSONS } from '../bvbsn/test-persons.simulator';
import { DvmgDataset, signDataset } from './dvmg-dataset';
import { DvmgPort, StartSharingRequest } from './dvmg.port';

export const SCRIPT_ACTIONS = [
  'SHARE',
  'ABORT_BEFORE_LOGIN',
  'ABORT_AFTER_LOGIN',
  'TIME_OUT',
  'BAD_SIGNATURE',
  'OTHER_PERSON',
] as const;
export type ScriptAction = (typeof SCRIPT_ACTIONS)[number];

interface SimulatedSession {
  kind: 'BSN' | 'BSN_AND_INCOME';
  expiresAt: Date;
  /** The test person logged in with (simulated DigiD), if any. */
  loggedInAs: string | null;
  done: boolean;
}

export interface DeliveryResult {
  delivered: boolean;
  /** HTTP status the service answered the delivery with. */
  deliveryStatus: number | null;
  deliveryResponse: unknown;
}

export class DvmgSimulatorError extends Error {
  constructor(
    readonly code:
      'SIMULATED_SESSION_UNKNOWN' | 'SIMULATED_SESSION_DONE' | 'TEST_PERSON_UNKNOWN' | 'NOT_LOGGED_IN',
    message: string,
  ) {
    super(message);
    this.name = 'DvmgSimulatorError';
  }
}

/**
 * SIMULATOR of MijnOverheid "Delen van MijnGegevens" (DvMG) — not the real service. Keeps sessions in
 * memory, lets a person "log in with DigiD" by picking a fictional test person, then share or abort, and
 * delivers a signed dataset server-to-server to this service's delivery endpoint, exactly as the real
 * service is assumed to. Its Ed25519 key pair is generated at boot unless DVMG_SIMULATOR_PRIVATE_KEY_FILE
 * is set; the public half is what the service verifies deliveries with (DvmgTrustStore) when no
 * MijnOverheid key is configured — the verification code path is the real one.
 */
export class DvmgSimulator extends DvmgPort {
  readonly label = 'DvMG SIMULATOR';
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  private readonly sessions = new Map<string, SimulatedSession>();
  private readonly logger = createLogger('DvmgSimulator');

  constructor(
    private readonly baseUrl: string,
    privateKey?: KeyObject,
  ) {
    super();
    if (privateKey) {
      this.privateKey = privateKey;
      this.publicKey = createPublicKey(privateKey);
    } else {
      const pair = generateKeyPairSync('ed25519');
      this.privateKey = pair.privateKey;
      this.publicKey = pair.publicKey;
    }
  }

  startSharing(request: StartSharingRequest): Promise<{ redirectUrl: string }> {
    this.sessions.set(request.sessionId, {
      kind: request.kind,
      expiresAt: request.expiresAt,
      loggedInAs: null,
      done: false,
    });
    return Promise.resolve({
      redirectUrl: `${this.baseUrl.replace(/\/$/, '')}/simulators/dvmg/sessions/${request.sessionId}`,
    });
  }

  session(sessionId: string): SimulatedSession {
    const session = this.sessions.get(sessionId);
    if (!session) throw new DvmgSimulatorError('SIMULATED_SESSION_UNKNOWN', 'no such simulated session');
    return session;
  }

  /** Simulated DigiD login as one of the test persons. */
  login(sessionId: string, testPersonBsn: string): void {
    const session = this.open(sessionId);
    if (!findTestPerson(testPersonBsn))
      throw new DvmgSimulatorError('TEST_PERSON_UNKNOWN', 'not one of the simulator test persons');
    session.loggedInAs = testPersonBsn;
  }

  async share(sessionId: string, deliveryUrl: string, options: { badSignature?: boolean } = {}) {
    const session = this.open(sessionId);
    if (!session.loggedInAs) throw new DvmgSimulatorError('NOT_LOGGED_IN', 'log in before sharing');
    const person = findTestPerson(session.loggedInAs);
    const income = person && session.kind === 'BSN_AND_INCOME' ? latestIncome(person) : null;
    session.done = true;
    return this.deliver(
      deliveryUrl,
      {
        sessionId,
        kind: session.kind,
        status: 'SHARED',
        loggedIn: true,
        bsn: session.loggedInAs,
        income: income
          ? { amountCents: income.amountCents, kind: income.kind, taxYear: income.taxYear }
          : null,
        receivedAt: new Date().toISOString(),
      },
      options.badSignature === true,
    );
  }

  async abort(sessionId: string, deliveryUrl: string): Promise<DeliveryResult> {
    const session = this.open(sessionId);
    session.done = true;
    return this.deliver(
      deliveryUrl,
      {
        sessionId,
        kind: session.kind,
        status: 'ABORTED',
        loggedIn: session.loggedInAs !== null,
        bsn: null,
        income: null,
        receivedAt: new Date().toISOString(),
      },
      false,
    );
  }

  /** One whole flow in one call, for tests and the demo. */
  async script(
    sessionId: string,
    action: ScriptAction,
    testPersonBsn: string | undefined,
    deliveryUrl: string,
  ): Promise<DeliveryResult> {
    const person = testPersonBsn ?? SIMULATED_TEST_PERSONS[0]!.bsn;
    switch (action) {
      case 'SHARE':
        this.login(sessionId, person);
        return this.share(sessionId, deliveryUrl);
      case 'OTHER_PERSON': {
        // Someone else logs in with DigiD and shares their data.
        const other = SIMULATED_TEST_PERSONS.find((p) => p.bsn !== person)!;
        this.login(sessionId, other.bsn);
        return this.share(sessionId, deliveryUrl);
      }
      case 'BAD_SIGNATURE':
        this.login(sessionId, person);
        return this.share(sessionId, deliveryUrl, { badSignature: true });
      case 'ABORT_BEFORE_LOGIN':
        return this.abort(sessionId, deliveryUrl);
      case 'ABORT_AFTER_LOGIN':
        this.login(sessionId, person);
        return this.abort(sessionId, deliveryUrl);
      case 'TIME_OUT':
        // The person walks away: MijnOverheid delivers nothing; the service's sweeper expires the session.
        this.open(sessionId).done = true;
        return { delivered: false, deliveryStatus: null, deliveryResponse: null };
    }
  }

  private open(sessionId: string): SimulatedSession {
    const session = this.session(sessionId);
    if (session.done)
      throw new DvmgSimulatorError('SIMULATED_SESSION_DONE', 'the simulated session has ended');
    return session;
  }

  private async deliver(
    deliveryUrl: string,
    dataset: DvmgDataset,
    corrupt: boolean,
  ): Promise<DeliveryResult> {
    const envelope = signDataset(this.privateKey, dataset);
    if (corrupt) {
      const sig = Buffer.from(envelope.signature, 'base64url');
      sig[0] = sig[0]! ^ 0xff;
      envelope.signature = sig.toString('base64url');
    }
    this.logger.info('SIMULATOR DvMG delivering dataset', {
      sessionId: dataset.sessionId,
      status: dataset.status,
      kind: dataset.kind,
      badSignature: corrupt,
    });
    const response = await fetch(deliveryUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(envelope),
    });
    const text = await response.text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = null;
    }
    return { delivered: true, deliveryStatus: response.status, deliveryResponse: body };
  }
}
