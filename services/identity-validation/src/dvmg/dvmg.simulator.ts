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

export interface SimulatedSession {
  kind: 'BSN' | 'BSN_AND_INCOME';
  expiresAt: Date;
  /** The test person logged in with (simulated DigiD), if any. */
  loggedInAs: string | null;
  done: boolean;
}

/**
 * Where the simulator keeps its sessions. MijnOverheid keeps a sharing session on its side while this
 * service restarts, so the simulator must too: the app uses {@link DatabaseSimulatedSessionStore}
 * (table `simulator_dvmg_sessions`); {@link InMemorySimulatedSessionStore} is for unit tests.
 */
export interface SimulatedSessionStore {
  get(sessionId: string): Promise<SimulatedSession | undefined>;
  put(sessionId: string, session: SimulatedSession): Promise<void>;
}

export class InMemorySimulatedSessionStore implements SimulatedSessionStore {
  private readonly sessions = new Map<string, SimulatedSession>();
  get(sessionId: string): Promise<SimulatedSession | undefined> {
    const s = this.sessions.get(sessionId);
    return Promise.resolve(s ? { ...s } : undefined);
  }
  put(sessionId: string, session: SimulatedSession): Promise<void> {
    this.sessions.set(sessionId, { ...session });
    return Promise.resolve();
  }
}

interface QueryRunnerLike {
  query<T = unknown>(sql: string, params?: unknown[]): Promise<T>;
}

/**
 * SIMULATOR state in the service's own database. The logged-in test person is stored as its position in
 * SIMULATED_TEST_PERSONS, never as a (test) BSN, so the table holds no BSN-shaped value.
 */
export class DatabaseSimulatedSessionStore implements SimulatedSessionStore {
  constructor(private readonly db: QueryRunnerLike) {}

  async get(sessionId: string): Promise<SimulatedSession | undefined> {
    const rows = await this.db.query<
      { kind: string; expires_at: Date; logged_in_as: number | null; done: boolean }[]
    >(`SELECT kind, expires_at, logged_in_as, done FROM simulator_dvmg_sessions WHERE session_id = $1`, [
      sessionId,
    ]);
    const row = rows[0];
    if (!row) return undefined;
    return {
      kind: row.kind as SimulatedSession['kind'],
      expiresAt: new Date(row.expires_at),
      loggedInAs: row.logged_in_as === null ? null : (SIMULATED_TEST_PERSONS[row.logged_in_as]?.bsn ?? null),
      done: row.done,
    };
  }

  async put(sessionId: string, session: SimulatedSession): Promise<void> {
    const person =
      session.loggedInAs === null
        ? null
        : SIMULATED_TEST_PERSONS.findIndex((p) => p.bsn === session.loggedInAs);
    await this.db.query(
      `INSERT INTO simulator_dvmg_sessions (session_id, kind, expires_at, logged_in_as, done)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (session_id) DO UPDATE SET logged_in_as = EXCLUDED.logged_in_as, done = EXCLUDED.done`,
      [sessionId, session.kind, session.expiresAt, person === -1 ? null : person, session.done],
    );
  }
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
 * SIMULATOR of MijnOverheid "Delen van MijnGegevens" (DvMG) — not the real service. Keeps its sessions in
 * a {@link SimulatedSessionStore} (the service database: they survive a restart of this service), lets a person "log in with DigiD" by picking a fictional test person, then share or abort, and
 * delivers a signed dataset server-to-server to this service's delivery endpoint, exactly as the real
 * service is assumed to. Its Ed25519 key pair is generated at boot unless DVMG_SIMULATOR_PRIVATE_KEY_FILE
 * is set; the public half is what the service verifies deliveries with (DvmgTrustStore) when no
 * MijnOverheid key is configured — the verification code path is the real one.
 */
export class DvmgSimulator extends DvmgPort {
  readonly label = 'DvMG SIMULATOR';
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  private readonly logger = createLogger('DvmgSimulator');

  constructor(
    private readonly baseUrl: string,
    privateKey?: KeyObject,
    private readonly sessions: SimulatedSessionStore = new InMemorySimulatedSessionStore(),
    /** Appended to the redirect URL (the per-session simulator capability); none by default. */
    private readonly redirectQuery: (sessionId: string) => string = () => '',
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

  async startSharing(request: StartSharingRequest): Promise<{ redirectUrl: string }> {
    await this.sessions.put(request.sessionId, {
      kind: request.kind,
      expiresAt: request.expiresAt,
      loggedInAs: null,
      done: false,
    });
    return {
      redirectUrl: `${this.baseUrl.replace(/\/$/, '')}/simulators/dvmg/sessions/${request.sessionId}${this.redirectQuery(request.sessionId)}`,
    };
  }

  async session(sessionId: string): Promise<SimulatedSession> {
    const session = await this.sessions.get(sessionId);
    if (!session) throw new DvmgSimulatorError('SIMULATED_SESSION_UNKNOWN', 'no such simulated session');
    return session;
  }

  /** Simulated DigiD login as one of the test persons. */
  async login(sessionId: string, testPersonBsn: string): Promise<void> {
    const session = await this.open(sessionId);
    if (!findTestPerson(testPersonBsn))
      throw new DvmgSimulatorError('TEST_PERSON_UNKNOWN', 'not one of the simulator test persons');
    session.loggedInAs = testPersonBsn;
    await this.sessions.put(sessionId, session);
  }

  async share(sessionId: string, deliveryUrl: string, options: { badSignature?: boolean } = {}) {
    const session = await this.open(sessionId);
    if (!session.loggedInAs) throw new DvmgSimulatorError('NOT_LOGGED_IN', 'log in before sharing');
    const person = findTestPerson(session.loggedInAs);
    const income = person && session.kind === 'BSN_AND_INCOME' ? latestIncome(person) : null;
    session.done = true;
    await this.sessions.put(sessionId, session);
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
    const session = await this.open(sessionId);
    session.done = true;
    await this.sessions.put(sessionId, session);
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
        await this.login(sessionId, person);
        return this.share(sessionId, deliveryUrl);
      case 'OTHER_PERSON': {
        // Someone else logs in with DigiD and shares their data.
        const other = SIMULATED_TEST_PERSONS.find((p) => p.bsn !== person)!;
        await this.login(sessionId, other.bsn);
        return this.share(sessionId, deliveryUrl);
      }
      case 'BAD_SIGNATURE':
        await this.login(sessionId, person);
        return this.share(sessionId, deliveryUrl, { badSignature: true });
      case 'ABORT_BEFORE_LOGIN':
        return this.abort(sessionId, deliveryUrl);
      case 'ABORT_AFTER_LOGIN':
        await this.login(sessionId, person);
        return this.abort(sessionId, deliveryUrl);
      case 'TIME_OUT': {
        // The person walks away: MijnOverheid delivers nothing; the service's sweeper expires the session.
        const session = await this.open(sessionId);
        session.done = true;
        await this.sessions.put(sessionId, session);
        return { delivered: false, deliveryStatus: null, deliveryResponse: null };
      }
    }
  }

  private async open(sessionId: string): Promise<SimulatedSession> {
    const session = await this.session(sessionId);
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
