/**
 * Fault tier (`npm run faults`, through tools/faults/faults.sh): a steady flow of complete allocations
 * through every process of a three-node Kafka cluster and two replicas of every service, while faults are
 * injected one after another:
 *   - SIGKILL of each service replica (restarted at once, as a supervisor would);
 *   - a rolling restart of every service (SIGTERM, wait for the exit, start, wait until ready; one replica
 *     of a service at a time, the services side by side);
 *   - the partition-leader broker of the busiest topic stopped (SIGTERM) and brought back;
 *   - the schema registry restarted;
 *   - PostgreSQL: with --restart-postgres (only where the server is yours alone, e.g. CI) the server is
 *     restarted (pg_ctlcluster restart, or FAULTS_POSTGRES_RESTART_COMMAND); otherwise, since the server on a
 *     developer's machine may be shared, every connection to the fault databases is terminated instead.
 * Each flow: registration, consent, identity sharing through the DvMG/BV BSN SIMULATORS and confirmation,
 * allocation, consent and income sharing at allocation, decision (the demonstration's steps, tools/demo).
 * At the end it waits for the flow to drain and checks: every allocation decided exactly once (decisions
 * topic and income-retrieval's database), usage counted exactly once (billing's ledger against the usage
 * events), no dead letters; it prints the recovery time per fault and the maximum consumer lag seen.
 * Exit code 1 when an invariant fails, 2 when it could not run. It never touches the shared stack: it
 * refuses the default broker port 9092 and the shared database prefix divit_.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Admin } from 'kafkajs';
import { Client } from 'pg';
import { eventDescriptors, topicCatalogue, Topics } from '@divit/contracts';
import { AvroSerde, createKafka, EventDescriptorLike, headersToStrings } from '@divit/messaging';
import { configureLogging } from '@divit/observability';
import { eventually, readTopicRecords } from '@divit/testing';
import { periodicDeltas, PeriodicState, periodicState, ranTwiceInAPeriod } from './periodic';
import {
  type AllocationInput,
  type Answer,
  clientsFor,
  type ConsentTextInput,
  csvBody,
  type Json,
  logiusInvoice,
  type OrganisationInput,
  type RegistrationInput,
  say,
  tokenFor,
  txt,
} from '../demo/lib';

configureLogging({ service: 'faults', level: 'error' });

// ------------------------------------------------------------------------------------------------
// Settings (environment from tools/faults/faults.sh; arguments)
// ------------------------------------------------------------------------------------------------
const ROOT = path.resolve(__dirname, '../..');
const env = process.env;
const STATE = env.DIVIT_STACK_STATE ?? path.join(ROOT, '.stack-faults');
const BROKERS = (env.KAFKA_BROKERS ?? '127.0.0.1:19092,127.0.0.1:19094,127.0.0.1:19096').split(',');
const REGISTRY = env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:18081/apis/ccompat/v7';
const DB_PREFIX = env.DIVIT_DB_PREFIX ?? 'divit_fault_';
const PORT_BASE = Number(env.SERVICE_PORT_BASE ?? 4101);
const PORT_STEP = Number(env.SERVICE_REPLICA_PORT_STEP ?? 100);
const REPLICAS = Number(env.SERVICE_REPLICAS ?? 2);
const PG = {
  host: env.PGHOST ?? '127.0.0.1',
  port: Number(env.PGPORT ?? 5432),
  user: env.PGUSER ?? 'postgres',
};

function argument(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) {
    process.stderr.write(`--${name} needs a positive number\n`);
    process.exit(2);
  }
  return v;
}
/** Whole run, seconds: flow and faults, then the drain and the checks, all within it (plus teardown). */
const DURATION_S = argument('duration', 600);
const WORKERS = argument('workers', 3);
/** Seconds between the SIGKILLs of consecutive replicas. */
const KILL_GAP_S = argument('kill-gap', 6);
/** Seconds a stopped broker stays down. */
const BROKER_DOWN_S = argument('broker-down', 20);
/** Seconds reserved at the end for the drain and the checks. */
const DRAIN_S = argument('drain', 120);
/** Restart the PostgreSQL server itself (it must be this run's alone: every database on it goes down). */
const RESTART_POSTGRES = process.argv.includes('--restart-postgres');
const ONLY = (() => {
  const i = process.argv.indexOf('--only');
  return i < 0 ? null : new Set((process.argv[i + 1] ?? '').split(','));
})();

if (BROKERS.some((b) => b.endsWith(':9092')) || DB_PREFIX === 'divit_' || REGISTRY.includes(':8081/')) {
  process.stderr.write(
    'faults: refusing to run against the shared stack (broker 9092, registry 8081 or databases divit_*); use tools/faults/faults.sh\n',
  );
  process.exit(2);
}

const SERVICES = [
  'registration',
  'consent',
  'identity-validation',
  'income-retrieval',
  'billing-reconciliation',
  'retention-cleanup',
] as const;
type Service = (typeof SERVICES)[number];
const dbOf = (s: Service) => `${DB_PREFIX}${s.replace(/-/g, '_')}`;
const instanceName = (s: Service, r: number) => (r === 1 ? s : `${s}-${r}`);
const urlOf = (s: Service, r: number) =>
  `http://127.0.0.1:${PORT_BASE + SERVICES.indexOf(s) + (r - 1) * PORT_STEP}`;

const run = randomBytes(3).toString('hex');
const T0 = Date.now();
const HARD_END = T0 + DURATION_S * 1000;
const FLOW_END = HARD_END - DRAIN_S * 1000;
const now = () => Date.now();
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const stamp = () => `[${secs(now() - T0).padStart(7)}]`;
const log = (line: string) => say(`${stamp()} ${line}`);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const errorText = (e: unknown) => (e instanceof Error ? e.message : txt(e));

// ------------------------------------------------------------------------------------------------
// HTTP with fail-over between replicas (a client behind a load balancer would do the same)
// ------------------------------------------------------------------------------------------------
/** Callers without a bearer token: the simulators (x-simulator-token). */
const anonymous = clientsFor(null);
const stats = {
  requests: 0,
  retriedErrors: 0,
  byService: new Map<string, number>(),
  kinds: new Map<string, number>(),
};
function countError(s: Service, kind: string): void {
  stats.retriedErrors++;
  stats.byService.set(s, (stats.byService.get(s) ?? 0) + 1);
  stats.kinds.set(kind, (stats.kinds.get(kind) ?? 0) + 1);
}

/** Where one attempt goes: a replica's base URL (overriding the client's) and a 15 s timeout. */
interface Attempt {
  baseUrl: string;
  signal: AbortSignal;
}
type Send<A> = (attempt: Attempt) => Promise<A>;

/** One attempt of a typed client call (libs/api-clients) on replica `r`. */
function once<A extends Answer<unknown>>(s: Service, r: number, send: Send<A>): Promise<A> {
  stats.requests++;
  return send({ baseUrl: urlOf(s, r), signal: AbortSignal.timeout(15_000) });
}

/** A problem's code, for the error statistics. */
const codeOf = (problem: unknown): string =>
  problem !== null && typeof problem === 'object' && 'code' in problem ? txt(problem.code) : '';

let roundRobin = 0;
interface RequestOptions {
  /** Only this replica (the DvMG simulator keeps its sessions in the memory of one process). */
  replica?: number;
  /** Also retry these statuses (e.g. 409/503: an event the service waits for is on its way). */
  retryStatuses?: number[];
  timeoutMs?: number;
}

/**
 * Retries network errors and 5xx on the other replica until the deadline; returns the first other answer.
 * `what` ('POST /organisations') names the request in the error when no replica answers in time.
 */
async function request<A extends Answer<unknown>>(
  s: Service,
  what: string,
  send: Send<A>,
  options: RequestOptions = {},
): Promise<A> {
  const deadline = now() + (options.timeoutMs ?? 90_000);
  let last = '';
  for (let attempt = 0; ; attempt++) {
    const r = options.replica ?? ((roundRobin++ + attempt) % REPLICAS) + 1;
    try {
      const reply = await once(s, r, send);
      const { status } = reply.response;
      const retry = status >= 500 || (options.retryStatuses ?? []).includes(status);
      if (!retry) return reply;
      last = `HTTP ${status} ${txt(reply.error ?? reply.data).slice(0, 200)}`;
      if (status >= 500) countError(s, `HTTP ${status} ${codeOf(reply.error)}`.trim());
    } catch (error) {
      last = errorText(error);
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      countError(s, cause ?? (error instanceof Error ? error.name : 'error'));
    }
    if (now() > deadline) throw new Error(`${what} (${s}): no answer in time (last: ${last})`);
    await sleep(Math.min(2000, 150 * 2 ** Math.min(attempt, 4)));
  }
}

/** The body of an answer with one of the expected statuses; any other stops the step. */
function expect<T>(label: string, reply: Answer<T>, ...statuses: number[]): T {
  if (!statuses.includes(reply.response.status))
    throw new Error(
      `${label}: expected HTTP ${statuses.join('/')}, got ${reply.response.status} ${txt(reply.error ?? reply.data).slice(0, 300)}`,
    );
  // An expected success: openapi-fetch parsed the body into `data`.
  return reply.data as T;
}

// ------------------------------------------------------------------------------------------------
// The flow (the demonstration's steps)
// ------------------------------------------------------------------------------------------------
/** Fictional test persons of the SIMULATORS (as tools/demo/demo.ts). */
const PERSONS = [
  {
    bsn: '999990019',
    surname: 'Testhuizen',
    prefix: 'van der',
    birthDate: '1990-04-12',
    gender: 'V',
    postcode: '1234AB',
    houseNumber: 10,
  },
  {
    bsn: '999990032',
    surname: 'Simulatorsma',
    prefix: null,
    birthDate: '1985-11-03',
    gender: 'M',
    postcode: '9711AA',
    houseNumber: 5,
  },
  {
    bsn: '999990044',
    surname: 'Proefpersoon',
    prefix: null,
    birthDate: '2000-01-31',
    gender: 'X',
    postcode: '3511BC',
    houseNumber: 42,
  },
  {
    bsn: '999990056',
    surname: 'Voorbeeld',
    prefix: 'de',
    birthDate: '1978-06-21',
    gender: 'M',
    postcode: '5611CD',
    houseNumber: 7,
  },
  {
    bsn: '999990068',
    surname: 'Fictief',
    prefix: null,
    birthDate: '1995-09-09',
    gender: 'V',
    postcode: '6811DE',
    houseNumber: 3,
  },
] as const;
type Person = (typeof PERSONS)[number];
type Purpose = 'BSN_AT_REGISTRATION' | 'BSN_AND_INCOME_AT_ALLOCATION';

interface Platform {
  allocator: string;
  letting: string;
  other: string;
  texts: Map<Purpose, string>;
}

function consentElements(purpose: Purpose): ConsentTextInput['elements'] {
  const atAllocation = purpose === 'BSN_AND_INCOME_AT_ALLOCATION';
  return {
    legalDuty: {
      text: 'De inkomenstoets is een wettelijke plicht.',
      data: ['SURNAME', 'BIRTH_DATE', 'INCOME'],
    },
    secureGovernmentConnection: { text: 'Het delen loopt via een beveiligde verbinding met de overheid.' },
    digidAtMijnOverheid: {
      text: 'U logt in met DigiD bij MijnOverheid.',
      sharedData: atAllocation ? ['BSN', 'INCOME'] : ['BSN'],
    },
    bsnOnlyForSurnameAndBirthDateCheck: { text: 'Uw BSN wordt alleen gebruikt voor de controle.' },
    bsnHashedAndVerifiedDataStored: { text: 'Daarna wordt uw BSN een onleesbare code.' },
    reuseAtAllocation: { text: 'Deze gegevens gebruiken wij opnieuw bij de toewijzing.' },
    voluntaryAndWithdrawable: {
      text: 'Delen is vrijwillig en altijd in te trekken.',
      noEffectOnChanceOfHome: true,
      withdrawableAnyTime: true,
      noEffectOnRegistrationTime: true,
    },
    controllerIdentity: {
      text: 'Verwerkingsverantwoordelijke: Fault Regio.',
      contact: 'privacy@fault.example',
    },
    dataSubjectRights: {
      text: 'U mag uw gegevens inzien, laten verbeteren of verwijderen en bezwaar maken tegen het gebruik ervan. Bent u het niet eens met hoe wij met uw gegevens omgaan, dan kunt u een klacht indienen bij onze functionaris gegevensbescherming of bij de Autoriteit Persoonsgegevens.',
      rights: ['ACCESS', 'RECTIFICATION', 'ERASURE', 'OBJECTION', 'COMPLAINT'],
      howToExercise: 'privacy@fault.example; klachten: Autoriteit Persoonsgegevens',
    },
  };
}

async function setUpPlatform(): Promise<Platform> {
  // Registers organisations (ADR 0014). The clients' base URLs are replaced per attempt by a replica's (request()).
  const platformAdmin = clientsFor(tokenFor('platform', ['platform-operator']));
  const no = {
    isHousingCorporation: false,
    allocatesAlone: false,
    isCollaborationWithAllocationAim: false,
    collaborationIsWoonruimteverdeler: false,
  };
  const org = async (name: string, answers: OrganisationInput['answers']) =>
    txt(
      expect(
        name,
        await request('registration', 'POST /organisations', (at) =>
          platformAdmin.registration.POST('/organisations', {
            ...at,
            body: { name: `${name} ${run}`, answers, effectiveFrom: '2026-01-01' },
          }),
        ),
        201,
      ).organisationId,
    );
  const allocator = await org('Fault Regio', {
    ...no,
    isCollaborationWithAllocationAim: true,
    collaborationIsWoonruimteverdeler: true,
  });
  const letting = await org('Fault Corporatie', { ...no, isHousingCorporation: true, allocatesAlone: true });
  // A second member, without allocations: the invoice's shared part is split over both by housing stock
  // (1000 : 617 dwellings, so the split has remainders to place), the attributable part goes to `letting`.
  const other = await org('Fault Corporatie Twee', {
    ...no,
    isHousingCorporation: true,
    allocatesAlone: true,
  });
  for (const [member, dwellings] of [
    [letting, 1000],
    [other, 617],
  ] as const) {
    expect(
      'membership',
      await request('registration', 'POST /organisations/{id}/memberships', (at) =>
        platformAdmin.registration.POST('/organisations/{id}/memberships', {
          ...at,
          params: { path: { id: allocator } },
          body: { memberOrganisationId: member, validFrom: '2026-01-01' },
        }),
      ),
      201,
    );
    expect(
      'stock',
      await request('registration', 'POST /organisations/{id}/housing-stock', (at) =>
        platformAdmin.registration.POST('/organisations/{id}/housing-stock', {
          ...at,
          params: { path: { id: allocator } },
          body: { memberOrganisationId: member, dwellings, effectiveFrom: '2026-01-01' },
        }),
      ),
      201,
    );
  }
  const admin = clientsFor(tokenFor(allocator, ['admin']));
  const texts = new Map<Purpose, string>();
  for (const purpose of ['BSN_AT_REGISTRATION', 'BSN_AND_INCOME_AT_ALLOCATION'] as const) {
    const draft = expect(
      'draft',
      await request('consent', 'POST /consent-texts', (at) =>
        admin.consent.POST('/consent-texts', {
          ...at,
          body: {
            organisationId: allocator,
            audience: 'HOME_SEEKER',
            purpose,
            language: 'nl',
            elements: consentElements(purpose),
          },
        }),
      ),
      201,
    );
    const published = expect(
      'publication',
      await request('consent', 'POST /consent-texts/{id}/publication', (at) =>
        admin.consent.POST('/consent-texts/{id}/publication', {
          ...at,
          params: { path: { id: txt(draft.id) } },
        }),
      ),
      201,
    );
    texts.set(purpose, txt(published.id));
  }
  return { allocator, letting, other, texts };
}

interface FlowRecord {
  n: number;
  startedAt: number;
  allocationId?: string;
  allocatedAt?: number;
  decidedAt?: number;
  outcome?: string;
  error?: string;
  shareAttempts: number;
  /** Sessions continued after RECEIPT_ALREADY_USED instead of asking for a new consent. */
  resumedSessions: number;
  /**
   * The simulated MijnOverheid session died with its identity-validation process (issue 13, item 9): the
   * receipt is spent and consent refuses a second grant, so the seeker cannot start again. At allocation
   * the session then expires (SESSION_TIMEOUT_SECONDS) and the allocation is decided on the alternative route.
   */
  lostSession?: Purpose;
}
const flows: FlowRecord[] = [];

/**
 * Consent (showing + answer) and a sharing session played in the DvMG SIMULATOR. On a failure after the grant
 * the person starts again with the same receipt, as ADR 0015 allows (a session nobody reported on does not
 * spend it): the new session replaces the one a killed replica left waiting. A receipt refused as used means
 * MijnOverheid already delivered for the session the flow started: that session is continued (its BV BSN check
 * may be waiting on Kafka or a restarted replica), as the person's page would. Only when the flow never learnt
 * that session's id does it ask for a new consent, which consent then refuses (CONSENT_ALREADY_GRANTED): a lost
 * session.
 */
async function consentAndShare(
  p: Platform,
  f: FlowRecord,
  registrationId: string,
  purpose: Purpose,
  person: Person,
  allocationId: string | undefined,
): Promise<string> {
  const system = clientsFor(tokenFor(p.allocator, ['allocation-system']));
  const grantConsent = async (): Promise<string> => {
    const showing = expect(
      'showing',
      await request(
        'consent',
        'POST /showings',
        (at) =>
          system.consent.POST('/showings', {
            ...at,
            body: {
              textId: p.texts.get(purpose) as string,
              registrationId,
              subjectRole: 'HOME_SEEKER',
              channel: 'WEB',
              ...(allocationId ? { allocationId } : {}),
            },
          }),
        { retryStatuses: [409, 503], timeoutMs: 120_000 },
      ),
      201,
    );
    const answered = expect(
      'answer',
      await request('consent', 'POST /consents', (at) =>
        system.consent.POST('/consents', {
          ...at,
          body: { showingId: txt(showing.showingId), answer: 'GRANTED' },
        }),
      ),
      201,
    );
    return txt(answered.receipt);
  };
  /**
   * Waits for a session MijnOverheid has delivered for to leave AWAITING_DELIVERY (the BV BSN check or the
   * hash match may wait on Kafka or a restarted replica) and confirms it at registration, as the person's
   * browser would keep showing the session's page.
   */
  const finish = async (id: string, waitMs: number): Promise<string> => {
    const state = await eventually(
      async () =>
        txt(
          expect(
            'session',
            await request('identity-validation', 'GET /sharing-sessions/{id}', (at) =>
              system['identity-validation'].GET('/sharing-sessions/{id}', {
                ...at,
                params: { path: { id } },
              }),
            ),
            200,
          ).state,
        ),
      {
        description: `session ${id}`,
        until: (s) => s !== 'AWAITING_DELIVERY',
        timeoutMs: waitMs,
        intervalMs: 250,
      },
    );
    if (purpose !== 'BSN_AT_REGISTRATION') return state;
    if (state === 'VALIDATED') return state; // confirmed by an earlier attempt whose answer was lost
    if (state !== 'AWAITING_CONFIRMATION') throw new Error(`session ${id} ended ${state}`);
    const done = expect(
      'confirmation',
      await request('identity-validation', 'POST /sharing-sessions/{id}/confirmation', (at) =>
        system['identity-validation'].POST('/sharing-sessions/{id}/confirmation', {
          ...at,
          params: { path: { id } },
          body: { agrees: true },
        }),
      ),
      200,
    );
    return txt(done.state);
  };
  let lastError = '';
  let receipt: string | undefined;
  /** The last session this flow started; kept across attempts so a delivered one is continued, not lost. */
  let started: string | undefined;
  let resume: string | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    f.shareAttempts++;
    if (allocationId && attempt > 0 && (await decisionOf(p, allocationId))) return 'DECIDED';
    try {
      if (resume !== undefined) {
        // RECEIPT_ALREADY_USED: MijnOverheid delivered for the session already started (start-session.use-case.ts).
        const id = resume;
        resume = undefined;
        log(`flow ${f.n}: continuing sharing session ${id} (${purpose}), already delivered for`);
        f.resumedSessions++;
        return await finish(id, 120_000);
      }
      if (receipt === undefined) receipt = await grantConsent();
      // The simulator plays a session in the process that started it: start and play it on one replica.
      const replica = ((f.n + attempt) % REPLICAS) + 1;
      const shareReceipt = receipt;
      const session = expect(
        'session',
        await request(
          'identity-validation',
          'POST /sharing-sessions',
          (at) =>
            system['identity-validation'].POST('/sharing-sessions', {
              ...at,
              body: { receipt: shareReceipt, purpose },
            }),
          { replica, retryStatuses: [409, 503], timeoutMs: 60_000 },
        ),
        201,
      );
      const id = txt(session.sessionId);
      started = id;
      expect(
        'simulator',
        await once('identity-validation', replica, (at) =>
          anonymous['identity-validation'].POST('/simulators/dvmg/sessions/{id}/script', {
            ...at,
            params: { path: { id } },
            // The simulator endpoints demand the token tools/services.sh wrote for this run (ADR 0015).
            headers: {
              'x-simulator-token': readFileSync(path.join(STATE, 'simulator-token'), 'utf8').trim(),
            },
            body: { action: 'SHARE', testPersonBsn: person.bsn },
          }),
        ),
        200,
      );
      return await finish(id, 30_000);
    } catch (error) {
      lastError = errorText(error);
      if (lastError.includes('RECEIPT_ALREADY_USED')) {
        // Continue the session MijnOverheid delivered for; only when none is known (the start's answer was
        // lost) does the person ask for a new consent.
        if (started !== undefined) resume = started;
        else receipt = undefined;
      }
      if (lastError.includes('CONSENT_ALREADY_GRANTED')) {
        f.lostSession = purpose;
        log(
          `flow ${f.n}: the sharing session of ${purpose} was lost with its identity-validation process; consent refuses a new grant`,
        );
        if (allocationId) return 'LOST_SESSION';
        throw new Error(`sharing session lost at registration and no way to start again: ${lastError}`);
      }
      await sleep(500);
    }
  }
  throw new Error(`consent and sharing (${purpose}) failed 5 times; last: ${lastError}`);
}

async function decisionOf(p: Platform, allocationId: string): Promise<Json | null> {
  const system = clientsFor(tokenFor(p.allocator, ['allocation-system']));
  const reply = await request('income-retrieval', 'GET /allocations/{allocationId}', (at) =>
    system['income-retrieval'].GET('/allocations/{allocationId}', {
      ...at,
      params: { path: { allocationId } },
    }),
  );
  if (reply.response.status !== 200) return null;
  return (reply.data as { decision?: Json | null } | undefined)?.decision ?? null;
}

async function allocationIdFromDatabase(reference: string): Promise<string | null> {
  const rows = await sql(
    dbOf('registration'),
    'SELECT id::text AS id FROM allocations WHERE dwelling_reference = $1',
    [reference],
  );
  return rows[0] ? txt(rows[0].id) : null;
}

async function flowOnce(p: Platform, f: FlowRecord): Promise<void> {
  const person = PERSONS[f.n % PERSONS.length] as Person;
  const system = clientsFor(tokenFor(p.allocator, ['allocation-system']));
  const registrationInput: RegistrationInput = {
    ...(person.prefix ? { surnamePrefix: person.prefix } : {}),
    surname: person.surname,
    birthDate: person.birthDate,
    genderMarker: person.gender,
    postcode: person.postcode,
    houseNumber: person.houseNumber,
    registrationDate: '2022-09-01',
  };
  const registration = expect(
    'registration',
    await request('registration', 'POST /registrations', (at) =>
      system.registration.POST('/registrations', { ...at, body: registrationInput }),
    ),
    201,
  );
  const registrationId = txt(registration.registrationId);
  await consentAndShare(p, f, registrationId, 'BSN_AT_REGISTRATION', person, undefined);
  await eventually(
    async () => {
      const r = await request('registration', 'GET /registrations/{id}', (at) =>
        system.registration.GET('/registrations/{id}', { ...at, params: { path: { id: registrationId } } }),
      );
      return r.response.status === 200
        ? txt((r.data as { identity?: Json } | undefined)?.identity?.status)
        : '';
    },
    {
      description: 'validated identity at registration',
      until: (s) => s === 'VALIDATED',
      timeoutMs: 120_000,
      intervalMs: 250,
    },
  );
  const reference = `FLT-${run}-${f.n}`;
  const allocationInput: AllocationInput = {
    registrationId,
    dwellingReference: reference,
    lettingCorporationId: p.letting,
    monthlyRentCents: 65000,
    leaseStartDate: '2026-12-01',
    coResidents: [],
  };
  const allocation = await request('registration', 'POST /allocations', (at) =>
    system.registration.POST('/allocations', { ...at, body: allocationInput }),
  );
  if (allocation.response.status === 201)
    f.allocationId = txt((allocation.data as Json | undefined)?.allocationId);
  else if (allocation.response.status === 409) {
    // A retried request whose first answer was lost: the allocation exists; find it by its dwelling reference.
    f.allocationId = (await allocationIdFromDatabase(reference)) ?? undefined;
    if (!f.allocationId) expect('allocation', allocation, 201);
  } else expect('allocation', allocation, 201);
  f.allocatedAt = now();
  const allocationId = f.allocationId as string;
  await eventually(
    async () =>
      (
        await request('income-retrieval', 'GET /allocations/{allocationId}', (at) =>
          system['income-retrieval'].GET('/allocations/{allocationId}', {
            ...at,
            params: { path: { allocationId } },
          }),
        )
      ).response.status,
    {
      description: `income-retrieval to know allocation ${allocationId}`,
      until: (s) => s === 200,
      timeoutMs: 120_000,
      intervalMs: 250,
    },
  );
  await consentAndShare(p, f, registrationId, 'BSN_AND_INCOME_AT_ALLOCATION', person, allocationId);
  const decision = await eventually(() => decisionOf(p, allocationId), {
    description: `the decision for ${allocationId}`,
    until: (d) => d !== null,
    timeoutMs: f.lostSession ? 300_000 : 180_000,
    intervalMs: 250,
  });
  f.decidedAt = now();
  f.outcome = txt(decision?.outcome);
}

let stopFlow = false;
async function worker(p: Platform, id: number, counter: { n: number }): Promise<void> {
  while (!stopFlow && now() < FLOW_END) {
    const f: FlowRecord = { n: counter.n++, startedAt: now(), shareAttempts: 0, resumedSessions: 0 };
    flows.push(f);
    try {
      await flowOnce(p, f);
    } catch (error) {
      f.error = errorText(error);
      log(`flow ${f.n} (worker ${id}) failed: ${f.error.slice(0, 300)}`);
    }
  }
}

// ------------------------------------------------------------------------------------------------
// Processes: pid files of tools/services.sh and tools/stack/stack.sh under $DIVIT_STACK_STATE/run
// ------------------------------------------------------------------------------------------------
const pidOf = (name: string): number | null => {
  const file = path.join(STATE, 'run', `${name}.pid`);
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
};
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = now() + timeoutMs;
  while (alive(pid)) {
    if (now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

const children = new Set<ReturnType<typeof spawn>>();
/** Runs a repository script; resolves with its exit code (output kept for the error message). */
function script(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => {
      children.delete(child);
      resolve({ code: code ?? 1, output });
    });
  });
}

async function startReplica(s: Service, r: number): Promise<number> {
  const t = now();
  const { code, output } = await script(['tools/services.sh', 'start-one', s, String(r)]);
  if (code !== 0) throw new Error(`restart of ${instanceName(s, r)} failed (exit ${code}): ${output.trim()}`);
  return now() - t;
}

// ------------------------------------------------------------------------------------------------
// Faults
// ------------------------------------------------------------------------------------------------
interface FaultRecord {
  name: string;
  at: number;
  /** How long the fault itself took (kill to ready again, broker down and back, ...). */
  actionMs?: number;
  note?: string;
  error?: string;
}
const faults: FaultRecord[] = [];
const restarts = new Map<string, Promise<unknown>>();

async function sigkillReplica(s: Service, r: number): Promise<void> {
  // Never both replicas of a service down at once: wait until the other one is back.
  for (let o = 1; o <= REPLICAS; o++) if (o !== r) await restarts.get(instanceName(s, o));
  const pid = pidOf(instanceName(s, r));
  const fault: FaultRecord = { name: `SIGKILL ${instanceName(s, r)}`, at: now() };
  faults.push(fault);
  if (!pid || !alive(pid)) {
    fault.error = 'not running';
    return;
  }
  process.kill(pid, 'SIGKILL');
  await waitForExit(pid, 5000);
  log(`${fault.name} (pid ${pid}); restarting it`);
  const restart = startReplica(s, r).then(
    (ms) => {
      fault.actionMs = now() - fault.at;
      log(`${instanceName(s, r)} ready again after ${secs(fault.actionMs)} (start ${secs(ms)})`);
    },
    (error: unknown) => {
      fault.error = errorText(error);
      log(`${fault.name}: ${fault.error}`);
    },
  );
  restarts.set(instanceName(s, r), restart);
}

async function rollService(s: Service): Promise<void> {
  const fault: FaultRecord = { name: `roll ${s}`, at: now() };
  faults.push(fault);
  const notes: string[] = [];
  try {
    for (let r = 1; r <= REPLICAS; r++) {
      const name = instanceName(s, r);
      const pid = pidOf(name);
      if (pid && alive(pid)) {
        const t = now();
        process.kill(pid, 'SIGTERM');
        const exited = await waitForExit(pid, 30_000);
        if (!exited) {
          process.kill(pid, 'SIGKILL');
          notes.push(`${name} did not exit within 30 s of SIGTERM (SIGKILL)`);
        } else notes.push(`${name} exited ${secs(now() - t)} after SIGTERM`);
      }
      await startReplica(s, r);
    }
    fault.actionMs = now() - fault.at;
    fault.note = notes.join('; ');
    log(`${fault.name}: done in ${secs(fault.actionMs)} (${fault.note})`);
  } catch (error) {
    fault.error = errorText(error);
    log(`${fault.name}: ${fault.error}`);
  }
}

async function stopLeaderBroker(admin: Admin): Promise<void> {
  const fault: FaultRecord = { name: 'stop partition-leader broker', at: now() };
  faults.push(fault);
  try {
    // The busiest topic: most records so far.
    let busiest = '';
    let most = -1n;
    for (const t of Object.values(topicCatalogue)) {
      const offsets = await admin.fetchTopicOffsets(t.name);
      const total = offsets.reduce((sum, o) => sum + BigInt(o.high) - BigInt(o.low), 0n);
      if (total > most) [busiest, most] = [t.name, total];
    }
    const meta = await admin.fetchTopicMetadata({ topics: [busiest] });
    const leader = meta.topics[0]?.partitions.find((p) => p.partitionId === 0)?.leader;
    const pid = leader === undefined ? null : pidOf(`kafka-${leader}`);
    if (!pid) throw new Error(`no pid for the leader of ${busiest}-0 (node ${leader})`);
    fault.name = `stop broker ${leader} (leader of ${busiest}-0)`;
    fault.at = now();
    process.kill(pid, 'SIGTERM');
    const exited = await waitForExit(pid, 60_000);
    log(`${fault.name}: ${exited ? 'stopped' : 'did not stop in 60 s'}; down for ${BROKER_DOWN_S} s`);
    await sleep(BROKER_DOWN_S * 1000);
    const up = await script(['tools/stack/stack.sh', 'up']);
    if (up.code !== 0) throw new Error(`stack.sh up failed: ${up.output.slice(-500)}`);
    fault.actionMs = now() - fault.at;
    fault.note = `down ${BROKER_DOWN_S} s, answering again after ${secs(fault.actionMs)}`;
    log(`broker ${leader} back (${fault.note})`);
  } catch (error) {
    fault.error = errorText(error);
    log(`${fault.name}: ${fault.error}`);
  }
}

async function restartRegistry(): Promise<void> {
  const fault: FaultRecord = { name: 'restart schema registry', at: now() };
  faults.push(fault);
  try {
    const pid = pidOf('registry');
    if (!pid) throw new Error('no registry pid');
    process.kill(pid, 'SIGTERM');
    await waitForExit(pid, 60_000);
    const up = await script(['tools/stack/stack.sh', 'up']);
    if (up.code !== 0) throw new Error(`stack.sh up failed: ${up.output.slice(-500)}`);
    fault.actionMs = now() - fault.at;
    log(`${fault.name}: answering again after ${secs(fault.actionMs)}`);
  } catch (error) {
    fault.error = errorText(error);
    log(`${fault.name}: ${fault.error}`);
  }
}

/** Restarts the machine's PostgreSQL server and waits until it answers again (opt-in: --restart-postgres). */
async function restartPostgres(): Promise<void> {
  const fault: FaultRecord = { name: 'PostgreSQL: restart the server', at: now() };
  faults.push(fault);
  const command =
    env.FAULTS_POSTGRES_RESTART_COMMAND ??
    'pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n1)" main restart';
  try {
    const restarted = await script(['-c', command]);
    if (restarted.code !== 0) throw new Error(`restart failed: ${restarted.output.slice(-500)}`);
    const deadline = now() + 60_000;
    for (;;) {
      const ready = await script(['-c', `pg_isready -q -h ${PG.host} -p ${PG.port} -t 2`]);
      if (ready.code === 0) break;
      if (now() > deadline) throw new Error('PostgreSQL did not answer within 60 s after the restart');
      await sleep(250);
    }
    fault.actionMs = now() - fault.at;
    fault.note = 'server restarted (every connection of every service dropped)';
    log(`${fault.name}: answering again after ${secs(fault.actionMs)}`);
  } catch (error) {
    fault.error = errorText(error);
    log(`${fault.name}: ${fault.error}`);
  }
}

async function terminateDatabaseConnections(): Promise<void> {
  const fault: FaultRecord = { name: 'PostgreSQL: terminate every fault-database connection', at: now() };
  faults.push(fault);
  try {
    const rows = await sql(
      'postgres',
      `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n FROM pg_stat_activity
        WHERE datname LIKE $1 AND pid <> pg_backend_pid()`,
      [`${DB_PREFIX.replace(/_/g, '\\_')}%`],
    );
    fault.actionMs = now() - fault.at;
    fault.note = `${txt(rows[0]?.n)} connections terminated (the server is shared with other users of this machine, so it is not restarted)`;
    log(`${fault.name}: ${fault.note}`);
  } catch (error) {
    fault.error = errorText(error);
  }
}

const want = (kind: string) => ONLY === null || ONLY.has(kind);

async function injectFaults(admin: Admin): Promise<void> {
  const budgetLeft = () => FLOW_END - now() > 30_000;
  if (want('kill'))
    for (let r = 1; r <= REPLICAS; r++)
      for (const s of SERVICES) {
        if (!budgetLeft()) return;
        await sigkillReplica(s, r);
        await sleep(KILL_GAP_S * 1000);
      }
  await Promise.all(restarts.values());
  if (want('broker') && budgetLeft()) {
    await stopLeaderBroker(admin);
    await sleep(5000);
  }
  if (want('registry') && budgetLeft()) {
    await restartRegistry();
    await sleep(5000);
  }
  if (want('postgres') && budgetLeft()) {
    if (RESTART_POSTGRES) await restartPostgres();
    else await terminateDatabaseConnections();
    await sleep(5000);
  }
  // Last, as it takes longest: a rolling restart of the whole platform.
  if (want('roll') && budgetLeft()) {
    log('rolling restart of every service (one replica of a service at a time, the services side by side)');
    await Promise.all(SERVICES.map((s) => rollService(s)));
  }
}

// ------------------------------------------------------------------------------------------------
// Consumer lag (kafkajs admin), polled throughout
// ------------------------------------------------------------------------------------------------
const maxLag = new Map<string, { lag: number; at: number }>();
let lastTotalLag = Number.NaN;
let lagPollFailures = 0;

async function pollLag(admin: Admin): Promise<number> {
  const { groups } = await admin.listGroups();
  const highs = new Map<string, Map<number, bigint>>();
  let total = 0;
  for (const g of groups) {
    if (g.groupId.startsWith('faults-') || g.groupId.startsWith('bsn-leak-scan-')) continue; // our readers
    const offsets = await admin.fetchOffsets({ groupId: g.groupId });
    let lag = 0;
    for (const t of offsets) {
      if (!highs.has(t.topic))
        highs.set(
          t.topic,
          new Map((await admin.fetchTopicOffsets(t.topic)).map((o) => [o.partition, BigInt(o.high)])),
        );
      for (const part of t.partitions) {
        const high = highs.get(t.topic)?.get(part.partition) ?? 0n;
        const committed = BigInt(part.offset);
        if (committed >= 0n && high > committed) lag += Number(high - committed);
      }
    }
    total += lag;
    const seen = maxLag.get(g.groupId);
    if (!seen || lag > seen.lag) maxLag.set(g.groupId, { lag, at: now() });
  }
  lastTotalLag = total;
  return total;
}

// ------------------------------------------------------------------------------------------------
// Memory under load: every service process's resident set (VmRSS in /proc), sampled every 2 s, so the
// Kubernetes memory limits can come from a measurement under faults (deploy/k8s, docs/faults.md).
// ------------------------------------------------------------------------------------------------
const peakRss = new Map<Service, { kib: number; instance: string; at: number }>();
function sampleRss(): void {
  for (const s of SERVICES)
    for (let r = 1; r <= REPLICAS; r++) {
      const name = instanceName(s, r);
      const pid = pidOf(name);
      if (!pid) continue;
      let status: string;
      try {
        status = readFileSync(`/proc/${pid}/status`, 'utf8');
      } catch {
        continue; // exited between the pid file and the read (a fault)
      }
      const kib = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
      const seen = peakRss.get(s);
      if (kib > 0 && (!seen || kib > seen.kib)) peakRss.set(s, { kib, instance: name, at: now() });
    }
}

// ------------------------------------------------------------------------------------------------
// Databases
// ------------------------------------------------------------------------------------------------
async function sql(
  database: string,
  text: string,
  params: unknown[] = [],
): Promise<Record<string, unknown>[]> {
  const client = new Client({ ...PG, database, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
}

async function outboxBacklog(): Promise<number> {
  let n = 0;
  for (const s of SERVICES)
    n += Number((await sql(dbOf(s), 'SELECT count(*) AS n FROM outbox_messages'))[0]?.n ?? 0);
  return n;
}

// ------------------------------------------------------------------------------------------------
// Checks
// ------------------------------------------------------------------------------------------------
async function decodeTopic(topic: string) {
  const kafka = createKafka({ brokers: BROKERS, clientId: `faults-read-${run}` });
  const serde = new AvroSerde({ registryUrl: REGISTRY, autoRegister: false });
  const readers = new Map<string, EventDescriptorLike>(eventDescriptors.map((d) => [d.type, d]));
  const out: { value: Json; headers: Record<string, string> }[] = [];
  for (const record of await readTopicRecords(kafka, [topic], 120_000)) {
    const decoded = await serde.decode(record.value, readers);
    out.push({ value: decoded.value as Json, headers: headersToStrings(record.headers) });
  }
  return out;
}

// ------------------------------------------------------------------------------------------------
// Periodic jobs (ADR 0012): two replicas try every period; a job may run at most once per period it claims.
// Over the run, per job: runs added <= periods advanced (last_period counts periods since the epoch).
// ------------------------------------------------------------------------------------------------
type PeriodicSnapshot = Map<string, PeriodicState>;
async function periodicSnapshot(): Promise<PeriodicSnapshot> {
  const out: PeriodicSnapshot = new Map();
  for (const s of SERVICES) {
    let rows: Record<string, unknown>[];
    try {
      rows = await sql(
        dbOf(s),
        'SELECT name, interval_ms, last_period, runs, last_started_at, last_finished_at FROM periodic_task_runs',
      );
    } catch {
      continue; // a service without periodic work has no such table
    }
    for (const r of rows)
      out.set(
        `${s}/${txt(r.name)}`,
        periodicState({
          runs: Number(r.runs),
          lastPeriod: Number(r.last_period),
          intervalMs: Number(r.interval_ms),
          lastStartedAt: r.last_started_at ? new Date(r.last_started_at as string) : null,
          lastFinishedAt: r.last_finished_at ? new Date(r.last_finished_at as string) : null,
        }),
      );
  }
  return out;
}

// ------------------------------------------------------------------------------------------------
// Settlement: the MijnOverheid invoice for exactly the usage counted in this run, reconciled and split over
// the two member corporations; the members' parts must add up to the invoice total to the cent.
// ------------------------------------------------------------------------------------------------
async function settle(
  p: Platform,
  usage: { value: Json }[],
): Promise<{ ok: boolean; line: string; parts: string[] }> {
  const finance = clientsFor(tokenFor(p.allocator, ['finance']));
  const distinct = new Map(usage.map((u) => [txt(u.value.usageId), u]));
  const count = (unit: string) => [...distinct.values()].filter((u) => u.value.unit === unit).length;
  const tariffs = expect(
    'tariffs',
    await request('billing-reconciliation', 'GET /tariffs', (at) =>
      finance['billing-reconciliation'].GET('/tariffs', { ...at }),
    ),
    200,
  );
  const today = new Date().toISOString().slice(0, 10);
  const periodStart = `${today.slice(0, 7)}-01`;
  const logins = count('DIGID_LOGIN');
  const sharings = count('DATA_SHARING');
  const invoiceNumber = `MO-FAULTS-${run}`;
  const { csv, totalCents: total } = logiusInvoice({
    tariffs,
    invoiceNumber,
    payerOrganisationId: p.allocator,
    periodStart,
    periodEnd: today,
    counts: { DIGID_LOGIN: logins, DATA_SHARING: sharings },
  });
  expect(
    'invoice',
    await request('billing-reconciliation', 'POST /invoices', (at) =>
      finance['billing-reconciliation'].POST('/invoices', { ...at, body: csv, ...csvBody }),
    ),
    201,
  );
  const closed = expect(
    'close',
    await request('billing-reconciliation', 'POST /reconciliations/close', (at) =>
      finance['billing-reconciliation'].POST('/reconciliations/close', {
        ...at,
        body: { payerOrganisationId: p.allocator, periodStart, periodEnd: today },
      }),
    ),
    201,
  );
  const settlements = await eventually(
    async () =>
      (await decodeTopic(Topics.billingReconciliationSettlements)).filter(
        (e) => e.value.invoiceNumber === invoiceNumber,
      ),
    {
      description: "the settlement events of the run's invoice",
      until: (l) => l.length >= 2,
      timeoutMs: 60_000,
      intervalMs: 2000,
    },
  );
  // One settlement per member per result version; the newest version counts.
  const version = Math.max(...settlements.map((e) => Number(e.value.resultVersion ?? 1)));
  const latest = settlements.filter((e) => Number(e.value.resultVersion ?? 1) === version);
  const byMember = new Map(latest.map((e) => [txt(e.value.memberOrganisationId), e.value]));
  const sum = [...byMember.values()].reduce((n, v) => n + Number(v.amountCents), 0);
  const ok =
    byMember.size === 2 &&
    byMember.has(p.letting) &&
    byMember.has(p.other) &&
    sum === total &&
    latest.length === 2;
  const parts = [...byMember].map(
    ([member, v]) =>
      `${member === p.letting ? 'letting corporation' : 'second member     '} ${txt(v.amountCents).padStart(6)} cents (attributable ${txt(v.attributableCents)}, by housing stock ${txt(v.sharedCents)}, key ${txt(v.keyShareNumerator)}/${txt(v.keyShareDenominator)})`,
  );
  return {
    ok,
    line: `${ok ? 'yes' : 'NO'}: invoice ${invoiceNumber} ${total} cents (${logins} DigiD logins, ${sharings} sharings; reconciliation ${txt(closed.reconciliationId)}), members' parts add up to ${sum} cents over ${byMember.size} members (${latest.length} settlement events of version ${version})`,
    parts,
  };
}

async function main(): Promise<number> {
  say(`== fault tier run ${run}: ${WORKERS} flow workers, up to ${DURATION_S} s (drain ${DRAIN_S} s) ==`);
  say(
    `brokers ${BROKERS.join(',')}, registry ${REGISTRY}, databases ${DB_PREFIX}*, ${REPLICAS} replicas per service`,
  );
  const kafka = createKafka({ brokers: BROKERS, clientId: `faults-admin-${run}` });
  const admin = kafka.admin();
  await admin.connect();
  let lagTimer: NodeJS.Timeout | undefined;
  const lagLoop = () => {
    lagTimer = setTimeout(() => {
      pollLag(admin)
        .catch(() => lagPollFailures++)
        .finally(lagLoop);
    }, 5000);
  };
  lagLoop();
  const rssTimer = setInterval(sampleRss, 2000);
  rssTimer.unref();

  const platform = await setUpPlatform();
  log(
    `allocator ${platform.allocator} (route B) with letting corporation ${platform.letting} and a second member ${platform.other}; consent texts published`,
  );
  const periodicBefore = await periodicSnapshot();
  const counter = { n: 0 };
  const workers = Array.from({ length: WORKERS }, (_, i) => worker(platform, i + 1, counter));

  // Warm-up: a few complete allocations before the first fault (the fault-free flow time).
  await eventually(() => Promise.resolve(flows.filter((f) => f.decidedAt).length), {
    description: 'first complete allocations',
    until: (n) => n >= WORKERS,
    timeoutMs: 240_000,
    intervalMs: 250,
  }).catch((e: unknown) => log(`warm-up: ${errorText(e)}`));
  const baseline = flows.filter((f) => f.decidedAt).map((f) => (f.decidedAt as number) - f.startedAt);
  log(
    `warm-up: ${baseline.length} allocations decided, flow time ${baseline.map((ms) => secs(ms)).join(', ')}`,
  );

  await injectFaults(admin);
  log('faults done; the flow goes on for 20 s, then no new flows start');
  await sleep(Math.min(20_000, Math.max(0, FLOW_END - now())));
  stopFlow = true;
  const drainDeadline = HARD_END - 20_000;
  await Promise.race([Promise.all(workers), sleep(Math.max(0, drainDeadline - now()))]);
  const unfinished = flows.filter((f) => !f.decidedAt && !f.error);
  log(`flow stopped: ${flows.length} flows, ${unfinished.length} still running at the drain deadline`);

  // Drain: no consumer lag and no outbox rows, twice in a row.
  let drained = false;
  let quiet = 0;
  while (now() < drainDeadline) {
    try {
      const lag = await pollLag(admin);
      const backlog = await outboxBacklog();
      quiet = lag === 0 && backlog === 0 ? quiet + 1 : 0;
      if (quiet >= 2) {
        drained = true;
        break;
      }
    } catch {
      quiet = 0;
    }
    await sleep(2000);
  }
  clearTimeout(lagTimer);
  clearInterval(rssTimer);
  log(
    drained
      ? 'drained: consumer lag 0 and outboxes empty'
      : `NOT drained by the deadline (last lag ${lastTotalLag})`,
  );

  // --- Allocations decided exactly once
  const started = flows.filter((f) => f.allocationId);
  const ids = started.map((f) => f.allocationId as string);
  const decisions = (await decodeTopic(Topics.incomeRetrievalDecisions)).filter(
    (d) => d.value.organisationId === platform.allocator,
  );
  const onTopic = new Map<string, { records: number; decisionIds: Set<string> }>();
  for (const d of decisions) {
    const a = txt(d.value.allocationId);
    const e = onTopic.get(a) ?? { records: 0, decisionIds: new Set<string>() };
    e.records++;
    e.decisionIds.add(txt(d.value.decisionId));
    onTopic.set(a, e);
  }
  const dbRows = await sql(
    dbOf('income-retrieval'),
    'SELECT allocation_id::text AS id, count(*)::int AS n FROM decisions WHERE allocation_id = ANY($1::uuid[]) GROUP BY 1',
    [ids],
  );
  const inDb = new Map(dbRows.map((r) => [txt(r.id), Number(r.n)]));
  const missingTopic = ids.filter((id) => !onTopic.has(id));
  const duplicateTopic = ids.filter((id) => (onTopic.get(id)?.decisionIds.size ?? 0) > 1);
  const resent = ids.filter((id) => {
    const e = onTopic.get(id);
    return e !== undefined && e.records > e.decisionIds.size;
  });
  const missingDb = ids.filter((id) => !inDb.has(id));
  const duplicateDb = ids.filter((id) => (inDb.get(id) ?? 0) > 1);
  const exactlyOnce = ids.filter((id) => onTopic.get(id)?.decisionIds.size === 1 && inDb.get(id) === 1);
  const unknownDecided = [...onTopic.keys()].filter((id) => !ids.includes(id));
  const recorded = Number(
    (
      await sql(
        dbOf('registration'),
        'SELECT count(*)::int AS n FROM allocations WHERE organisation_id = $1',
        [platform.allocator],
      )
    )[0]?.n ?? 0,
  );

  // --- Usage counted exactly once
  const usage = (await decodeTopic(Topics.identityValidationUsage)).filter(
    (u) => u.value.organisationId === platform.allocator,
  );
  const usageIds = new Set(usage.map((u) => txt(u.value.usageId)));
  const ledger = await sql(
    dbOf('billing-reconciliation'),
    'SELECT usage_id::text AS id FROM usage_records WHERE organisation_id = $1',
    [platform.allocator],
  );
  const ledgerIds = new Set(ledger.map((r) => txt(r.id)));
  const aggregated = Number(
    (
      await sql(
        dbOf('billing-reconciliation'),
        'SELECT coalesce(sum(usage_count), 0)::int AS n FROM usage_aggregates WHERE organisation_id = $1',
        [platform.allocator],
      )
    )[0]?.n ?? 0,
  );
  // Records erased under retention are folded into usage_aggregates (counts); the rest stay one row per event.
  const usageMissing = usageIds.size - ledgerIds.size - aggregated;
  const usageExtra = [...ledgerIds].filter((id) => !usageIds.has(id)).length;

  // --- Dead letters written during this run
  const dlqTopics = Object.values(topicCatalogue)
    .map((t) => t.name)
    .filter((n) => n.startsWith('divit.dlq.'));
  const kafkaRead = createKafka({ brokers: BROKERS, clientId: `faults-dlq-${run}` });
  const dlq = new Map<string, string[]>();
  for (const t of dlqTopics) {
    const records = await readTopicRecords(kafkaRead, [t], 60_000);
    const ours = records.filter((r) => {
      const h = headersToStrings(r.headers);
      return Date.parse(h.dlq_failed_at ?? '') >= T0;
    });
    dlq.set(
      t,
      ours.map((r) => {
        const h = headersToStrings(r.headers);
        return `${h.dlq_original_topic ?? '?'} ${h.dlq_error_code ?? ''}: ${(h.dlq_reason ?? '').slice(0, 160)}`;
      }),
    );
  }
  const dlqTotal = [...dlq.values()].reduce((n, l) => n + l.length, 0);
  await admin.disconnect();

  // --- Periodic jobs once per period across the replicas
  const periodicAfter = await periodicSnapshot();
  const periodic = periodicDeltas(periodicBefore, periodicAfter);
  const periodicTwice = ranTwiceInAPeriod(periodic);

  // --- Settlement of the run's usage
  let settlement: { ok: boolean; line: string; parts: string[] };
  try {
    settlement = await settle(platform, usage);
  } catch (error) {
    settlement = { ok: false, line: `NO: ${errorText(error).slice(0, 300)}`, parts: [] };
  }

  // --- Report
  const decided = started.filter((f) => f.decidedAt);
  const outcomes = new Map<string, number>();
  for (const f of decided) outcomes.set(f.outcome ?? '?', (outcomes.get(f.outcome ?? '?') ?? 0) + 1);
  say();
  say(`== fault tier results (run ${run}, ${secs(now() - T0)}) ==`);
  say(
    `flows started                         ${flows.length} (${flows.filter((f) => f.error).length} ended in a driver error, ${unfinished.length} unfinished at the deadline)`,
  );
  say(
    `allocations started                   ${ids.length} (registration recorded ${recorded} for the allocator)`,
  );
  const lost = flows.filter((f) => f.lostSession);
  say(
    `sharing sessions lost with a killed identity-validation process (issue 13 item 9): ${lost.length} (${lost.filter((f) => f.lostSession === 'BSN_AT_REGISTRATION').length} at registration: flow abandoned; ${lost.filter((f) => f.lostSession === 'BSN_AND_INCOME_AT_ALLOCATION').length} at allocation: ${
      lost
        .filter((f) => f.lostSession === 'BSN_AND_INCOME_AT_ALLOCATION' && f.decidedAt)
        .map((f) => f.outcome)
        .join(', ') || 'none decided'
    })`,
  );
  say(
    `sharing sessions continued after RECEIPT_ALREADY_USED (delivered, still checking): ${flows.reduce((n, f) => n + f.resumedSessions, 0)}`,
  );
  say(
    `decided as seen by the driver         ${decided.length} (${[...outcomes].map(([o, n]) => `${o} ${n}`).join(', ')})`,
  );
  say(`decided exactly once                  ${exactlyOnce.length} of ${ids.length}`);
  say(
    `  decisions topic: missing ${missingTopic.length}, duplicates ${duplicateTopic.length} (same decision re-sent: ${resent.length}), decisions for allocations the driver does not know: ${unknownDecided.length}`,
  );
  say(`  income-retrieval database: missing ${missingDb.length}, duplicates ${duplicateDb.length}`);
  say(
    `usage counted exactly once            ${usageMissing === 0 && usageExtra === 0 ? 'yes' : 'NO'}: events ${usage.length} (distinct ${usageIds.size}), ledger rows ${ledgerIds.size} + folded into aggregates ${aggregated}; missing ${usageMissing}, in ledger without event ${usageExtra}`,
  );
  say(`settlement exact                      ${settlement.line}`);
  for (const part of settlement.parts) say(`  ${part}`);
  say(
    `periodic jobs once per period         ${periodicTwice.length === 0 ? 'yes' : 'NO'}: ${periodic.map((j) => `${j.job} ${j.runs} runs in ${j.periods} periods of ${j.intervalMs / 1000} s`).join('; ') || 'none seen'}`,
  );
  say(`dead letters (no poison is sent)      ${dlqTotal}${dlqTotal ? '' : ' (all DLQ topics)'}`);
  for (const [t, lines] of dlq) for (const l of lines.slice(0, 5)) say(`  ${t}: ${l}`);
  say(
    `HTTP errors retried by the driver     ${stats.retriedErrors} of ${stats.requests} requests (${[...stats.byService].map(([s, n]) => `${s} ${n}`).join(', ')})`,
  );
  say(`  kinds: ${[...stats.kinds].map(([k, n]) => `${k} ${n}`).join(', ') || '-'}`);
  say('recovery per fault (injection → first allocation started after it decided):');
  for (const fault of faults) {
    const after = decided.filter((f) => (f.allocatedAt as number) > fault.at);
    const first = after.length ? Math.min(...after.map((f) => f.decidedAt as number)) : null;
    say(
      `  ${fault.name.padEnd(58)} ${first === null ? 'NOT RECOVERED' : secs(first - fault.at).padStart(8)}   ${fault.actionMs !== undefined ? `(fault took ${secs(fault.actionMs)})` : ''}${fault.note ? ` ${fault.note}` : ''}${fault.error ? ` ERROR ${fault.error}` : ''}`,
    );
  }
  const fastest = baseline.length ? Math.min(...baseline) : null;
  if (fastest !== null)
    say(`  (a complete allocation takes ${secs(fastest)} without faults, fastest of the warm-up)`);
  const lagSorted = [...maxLag].sort((a, b) => b[1].lag - a[1].lag);
  say(
    `maximum consumer lag seen             ${lagSorted[0] ? `${lagSorted[0][1].lag} (${lagSorted[0][0]} at ${secs(lagSorted[0][1].at - T0)})` : 'n/a'}; poll failures ${lagPollFailures}`,
  );
  for (const [g, v] of lagSorted.slice(0, 8)) say(`  ${g.padEnd(50)} ${v.lag}`);
  say('peak resident set per service (VmRSS every 2 s, any replica, faults and flow included):');
  for (const s of SERVICES) {
    const p = peakRss.get(s);
    say(
      `  ${s.padEnd(50)} ${p ? `${(p.kib / 1024).toFixed(0)} MiB (${p.instance} at ${secs(p.at - T0)})` : 'n/a'}`,
    );
  }
  for (const f of flows.filter((x) => x.error).slice(0, 10))
    say(`  flow ${f.n} error: ${txt(f.error).slice(0, 300)}`);
  for (const id of [...missingTopic, ...missingDb].slice(0, 10)) {
    const f = started.find((x) => x.allocationId === id);
    say(
      `  undecided allocation ${id}: ${f?.error ?? (f?.decidedAt ? 'decided per the API' : 'flow unfinished')}`,
    );
  }

  const failures: string[] = [];
  if (ids.length === 0) failures.push('no allocation started');
  if (missingTopic.length || missingDb.length) failures.push('allocations without a decision');
  if (duplicateTopic.length || duplicateDb.length) failures.push('allocations decided more than once');
  if (usageMissing || usageExtra) failures.push('usage not counted exactly once');
  if (!settlement.ok) failures.push('settlement not exact');
  if (periodicTwice.length) failures.push('a periodic job ran more than once in a period');
  if (dlqTotal) failures.push('dead letters');
  if (!drained) failures.push('not drained');
  if (faults.some((f) => f.error)) failures.push('a fault could not be injected or undone');
  if (faults.some((f) => !decided.some((d) => (d.allocatedAt as number) > f.at)))
    failures.push('a fault without recovery');
  say(
    failures.length ? `FAULT TIER FAILED: ${failures.join('; ')}` : 'fault tier passed: every invariant held',
  );
  return failures.length ? 1 : 0;
}

const watchdog = setTimeout(
  () => {
    say(`faults: the run exceeded ${DURATION_S + 60} s; stopping`);
    for (const c of children) c.kill('SIGTERM');
    process.exit(2);
  },
  (DURATION_S + 60) * 1000,
);
watchdog.unref();

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    say(`faults: could not run: ${error instanceof Error ? (error.stack ?? error.message) : txt(error)}`);
    process.exit(2);
  },
);
