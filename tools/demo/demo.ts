/**
 * Demonstration run by `npm start` against the six running services, as separate processes. It plays
 * the parties involved, with tokens from the local development issuer (tools/dev-auth.js):
 *  - the platform operator (role platform-operator, not a tenant) registering organisations (routes A, B, C and a
 *    refusal) and enrolling members; the allocator's own admin recording its members' housing stock;
 *  - the allocator (route B, controller) publishing consent texts;
 *  - home seekers and co-residents answering consent and sharing through the MijnOverheid and BV BSN
 *    SIMULATORS (the government services cannot be reached from here) — all four DIV-it processes,
 *    succeeding and failing (U1, U2, U3, U4, abort, exempt);
 *  - the allocator's own system reading decisions (conclusions only) and a finance system reading
 *    settlements, both with the published reader schemas;
 *  - an auditor reading evidence, a withdrawal erased within seconds and a retention sweep (run by the platform
 *    operator: sweeps span every organisation);
 *  - finance importing the MijnOverheid invoice, reconciling and splitting it over the members;
 *  - one year of the Woonkans guarantee fund (contributions, a claim paid that triggers the top-up call, a refused
 *    claim, a joining party; statements, overview and monitoring figures).
 * It ends with a scan of every service database, every topic and every service log for the test BSNs.
 * Any unexpected answer stops it with exit code 1, so the demonstration doubles as an end-to-end check.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { topicCatalogue, Topics } from '@divit/contracts';
import { createKafka } from '@divit/messaging';
import { configureLogging } from '@divit/observability';
import { eventually, readTopicRecords, scanForBsnLeaks } from '@divit/testing';
import {
  AllocationInput,
  BROKERS,
  clientsFor,
  ConsentTextInput,
  csvBody,
  euro,
  expectStatus,
  logiusInvoice,
  OrganisationInput,
  PREFIX,
  RegistrationInput,
  say,
  SeenEvent,
  shortId,
  simulatorToken,
  STATE,
  subscribe,
  txt,
  untilNot409,
  type Clients,
} from './lib';
import { identities } from './identities';
import { collectConformanceReport } from '../reports/conformance-run';
import { renderConformancePdf } from '../reports/conformance-pdf';
import { collectSections } from '../subject-access/collect';
import { assembleReport, writeReport as writeSubjectAccessReport } from '../subject-access/report';

configureLogging({ service: 'demo', level: 'warn' });
const run = randomBytes(2).toString('hex');
const REPORTS = path.resolve(__dirname, '../../reports/demo');

/**
 * Writes a report under reports/demo/ readable by this user only (0600 in a 0700 folder): statements,
 * evidence and settlements name (fictional) people and organisations.
 */
function writeReport(name: string, body: string | Buffer): void {
  mkdirSync(REPORTS, { recursive: true, mode: 0o700 });
  chmodSync(REPORTS, 0o700);
  const file = path.join(REPORTS, name);
  writeFileSync(file, body, { mode: 0o600 });
  chmodSync(file, 0o600); // an existing file keeps its old mode on write
}
/** Callers without a bearer token: the receipt verification (public) and the simulators (x-simulator-token). */
const anonymous = clientsFor(null);
/** Who the demonstration acts as: tokens from Keycloak, or the development issuer without it (identities.ts). */
const people = identities();
/** The platform operator: only it registers organisations, enrols members and runs sweeps (docs/adr/0014). */
let platformOperator: Clients;

const no = {
  isHousingCorporation: false,
  allocatesAlone: false,
  isCollaborationWithAllocationAim: false,
  collaborationIsWoonruimteverdeler: false,
};
const corporation = { ...no, isHousingCorporation: true, allocatesAlone: true };

/** Fictional test persons of the SIMULATORS (GET /simulators/dvmg/test-persons). */
const PERSON = {
  anna: {
    bsn: '999990019',
    surname: 'Testhuizen',
    prefix: 'van der',
    birthDate: '1990-04-12',
    gender: 'V',
    postcode: '1234AB',
    houseNumber: 10,
  },
  bram: {
    bsn: '999990032',
    surname: 'Simulatorsma',
    prefix: null,
    birthDate: '1985-11-03',
    gender: 'M',
    postcode: '9711AA',
    houseNumber: 5,
  },
  charlie: {
    bsn: '999990044',
    surname: 'Proefpersoon',
    prefix: null,
    birthDate: '2000-01-31',
    gender: 'X',
    postcode: '3511BC',
    houseNumber: 42,
  },
  dirk: {
    bsn: '999990056',
    surname: 'Voorbeeld',
    prefix: 'de',
    birthDate: '1978-06-21',
    gender: 'M',
    postcode: '5611CD',
    houseNumber: 7,
  },
  eva: {
    bsn: '999990068',
    surname: 'Fictief',
    prefix: null,
    birthDate: '1995-09-09',
    gender: 'V',
    postcode: '6811DE',
    houseNumber: 3,
  },
} as const;
type Person = (typeof PERSON)[keyof typeof PERSON];
const TEST_BSNS = Object.values(PERSON).map((p) => p.bsn);

type Purpose = 'BSN_AT_REGISTRATION' | 'BSN_FOR_EXISTING_REGISTRATION' | 'BSN_AND_INCOME_AT_ALLOCATION';
type Audience = 'HOME_SEEKER' | 'CO_RESIDENT';

function consentElements(purpose: Purpose, controller: string): ConsentTextInput['elements'] {
  const atAllocation = purpose === 'BSN_AND_INCOME_AT_ALLOCATION';
  return {
    legalDuty: {
      text: 'De inkomenstoets is een wettelijke plicht; daarvoor zijn uw geslachtsnaam, geboortedatum en inkomen nodig.',
      data: ['SURNAME', 'BIRTH_DATE', 'INCOME'],
    },
    secureGovernmentConnection: {
      text: 'Het delen is veilig en loopt via een beveiligde verbinding met de overheid.',
    },
    digidAtMijnOverheid: {
      text: atAllocation
        ? 'U logt in met DigiD bij MijnOverheid, die u vraagt uw BSN en inkomen te delen.'
        : 'U logt in met DigiD bij MijnOverheid, die u vraagt uw BSN te delen.',
      sharedData: atAllocation ? ['BSN', 'INCOME'] : ['BSN'],
    },
    bsnOnlyForSurnameAndBirthDateCheck: {
      text: 'Uw BSN wordt alleen gebruikt om uw geslachtsnaam en geboortedatum te controleren.',
    },
    bsnHashedAndVerifiedDataStored: {
      text: 'Daarna wordt uw BSN een onleesbare code; wij bewaren de bij de overheid bekende geslachtsnaam en geboortedatum.',
    },
    reuseAtAllocation: { text: 'Deze gegevens gebruiken wij opnieuw bij de toewijzing van een woning.' },
    voluntaryAndWithdrawable: {
      text: 'Delen is vrijwillig, verandert uw kans op een woning niet en u kunt uw instemming altijd intrekken zonder gevolgen voor uw inschrijfduur.',
      noEffectOnChanceOfHome: true,
      withdrawableAnyTime: true,
      noEffectOnRegistrationTime: true,
    },
    controllerIdentity: {
      text: `Verwerkingsverantwoordelijke: ${controller}.`,
      contact: 'privacy@woonnet.example',
    },
    dataSubjectRights: {
      text: 'U mag uw gegevens inzien, laten verbeteren of verwijderen en bezwaar maken tegen het gebruik ervan. Bent u het niet eens met hoe wij met uw gegevens omgaan, dan kunt u een klacht indienen bij onze functionaris gegevensbescherming of bij de Autoriteit Persoonsgegevens.',
      rights: ['ACCESS', 'RECTIFICATION', 'ERASURE', 'OBJECTION', 'COMPLAINT'],
      howToExercise: 'privacy@woonnet.example; klachten: Autoriteit Persoonsgegevens',
    },
  };
}

/** The fields a problem names (a refusal the demonstration provokes must name them). */
function fieldsOf(label: string, problem: { errors?: { field: string }[] } | undefined): string {
  if (!problem?.errors)
    throw new Error(`${label}: expected a problem naming the fields, got ${txt(problem)}`);
  return problem.errors.map((e) => e.field).join(', ');
}

interface Org {
  organisationId: string;
  route: string;
}

async function registerOrganisations() {
  say('-- 1. organisations and their DIV-it route (decision tree)');
  const org = async (label: string, body: OrganisationInput): Promise<Org> => {
    const r = expectStatus(label, await platformOperator.registration.POST('/organisations', { body }), 201);
    return { organisationId: txt(r.organisationId), route: txt(r.route) };
  };
  const kade = await org('route A', {
    name: `Woonstichting De Kade ${run}`,
    answers: corporation,
    effectiveFrom: '2026-01-01',
  });
  say(`POST /organisations  corporation allocating alone            → 201 route ${kade.route}`);
  const oost = await org('corporation', {
    name: `Woonbron Oost ${run}`,
    answers: corporation,
    effectiveFrom: '2026-01-01',
  });
  const woonnet = await org('route B', {
    name: `WoonNet Regio ${run}`,
    answers: { ...no, isCollaborationWithAllocationAim: true, collaborationIsWoonruimteverdeler: true },
    effectiveFrom: '2026-01-01',
  });
  say(
    `POST /organisations  woonruimteverdeler under the Woningwet   → 201 route ${woonnet.route} (coordinates itself)`,
  );
  const noord = await org('route C', {
    name: `Samenwerkende Corporaties Noord ${run}`,
    answers: { ...no, isCollaborationWithAllocationAim: true },
    coordinatorOrganisationId: kade.organisationId,
    // The primus inter pares is one of the member corporations (ADR 0035): the founding members come with it.
    memberOrganisationIds: [kade.organisationId, oost.organisationId],
    effectiveFrom: '2026-02-01',
  });
  say(
    `POST /organisations  collaboration, not a woonruimteverdeler  → 201 route ${noord.route}, primus inter pares De Kade (founding members De Kade and Woonbron Oost)`,
  );
  const pipOutside = await platformOperator.registration.POST('/organisations', {
    body: {
      name: `Samenwerking Zonder Lid ${run}`,
      answers: { ...no, isCollaborationWithAllocationAim: true },
      coordinatorOrganisationId: kade.organisationId,
      memberOrganisationIds: [oost.organisationId],
      effectiveFrom: '2026-02-01',
    },
  });
  if (pipOutside.response.status !== 422 || pipOutside.error?.code !== 'COORDINATOR_NOT_A_MEMBER')
    throw new Error(
      `a primus inter pares outside the members: expected 422, got ${pipOutside.response.status}`,
    );
  say(
    `POST /organisations  route C whose PIP is not a member         → 422 ${pipOutside.error.code}: ${txt(pipOutside.error.detail)}`,
  );
  const refused = await platformOperator.registration.POST('/organisations', {
    body: { name: `Makelaardij Zuid ${run}`, answers: no, effectiveFrom: '2026-01-01' },
  });
  say(
    `POST /organisations  a broker, not a corporation              → ${refused.response.status} ${txt(refused.error?.code)}: ${txt(refused.error?.detail)}`,
  );
  // Deliberately invalid: an impossible date, a one-letter name and a field the document does not know.
  const invalidInput = { name: 'X', answers: no, effectiveFrom: '2026-02-30', bsn: '123' };
  const invalid = await platformOperator.registration.POST('/organisations', { body: invalidInput });
  say(
    `POST /organisations  invalid input                            → ${invalid.response.status} ${fieldsOf('invalid input', invalid.error)} (${(invalid.response.headers.get('content-type') ?? '').split(';')[0]})`,
  );
  for (const member of [kade, oost])
    expectStatus(
      'membership',
      await platformOperator.registration.POST('/organisations/{id}/memberships', {
        params: { path: { id: woonnet.organisationId } },
        body: { memberOrganisationId: member.organisationId, validFrom: '2026-01-01' },
      }),
      201,
    );
  const woonnetAdmin = clientsFor(await people.tokenFor(woonnet.organisationId, ['admin']));
  for (const [member, dwellings] of [
    [kade, 12400],
    [oost, 8600],
  ] as const)
    expectStatus(
      'stock',
      await woonnetAdmin.registration.POST('/organisations/{id}/housing-stock', {
        params: { path: { id: woonnet.organisationId } },
        body: { memberOrganisationId: member.organisationId, dwellings, effectiveFrom: '2026-01-01' },
      }),
      201,
    );
  say(
    "WoonNet Regio (route B): members De Kade and Woonbron Oost from 2026-01-01 (enrolled by the platform operator), housing stock 12,400 and 8,600 dwellings (recorded by WoonNet's own admin)",
  );
  say();
  return { kade, oost, woonnet };
}

async function publishConsentTexts(woonnet: string) {
  say('-- 2. WoonNet Regio publishes its consent texts (versioned, every required element present)');
  const admin = clientsFor(await people.tokenFor(woonnet, ['admin']));
  const texts = new Map<string, string>();
  const {
    voluntaryAndWithdrawable: _v,
    bsnOnlyForSurnameAndBirthDateCheck: _b,
    ...incompleteElements
  } = consentElements('BSN_AT_REGISTRATION', 'WoonNet Regio');
  const incomplete = expectStatus(
    'draft',
    await admin.consent.POST('/consent-texts', {
      body: {
        organisationId: woonnet,
        audience: 'HOME_SEEKER',
        purpose: 'BSN_AT_REGISTRATION',
        language: 'nl',
        elements: incompleteElements,
      },
    }),
    201,
  );
  const refusedPublication = await admin.consent.POST('/consent-texts/{id}/publication', {
    params: { path: { id: txt(incomplete.id) } },
  });
  say(
    `publish a text without two required elements → ${refusedPublication.response.status} ${txt(refusedPublication.error?.code)}: ${fieldsOf('publication', refusedPublication.error)}`,
  );
  const series: [Audience, Purpose][] = [
    ['HOME_SEEKER', 'BSN_AT_REGISTRATION'],
    ['HOME_SEEKER', 'BSN_FOR_EXISTING_REGISTRATION'],
    ['HOME_SEEKER', 'BSN_AND_INCOME_AT_ALLOCATION'],
    ['CO_RESIDENT', 'BSN_AND_INCOME_AT_ALLOCATION'],
  ];
  for (const [audience, purpose] of series) {
    const draft = expectStatus(
      'draft',
      await admin.consent.POST('/consent-texts', {
        body: {
          organisationId: woonnet,
          audience,
          purpose,
          language: 'nl',
          elements: consentElements(purpose, 'WoonNet Regio'),
        },
      }),
      201,
    );
    const published = expectStatus(
      'publication',
      await admin.consent.POST('/consent-texts/{id}/publication', {
        params: { path: { id: txt(draft.id) } },
      }),
      201,
    );
    texts.set(`${audience}/${purpose}`, txt(published.id));
    say(
      `published ${audience.padEnd(11)} ${purpose.padEnd(29)} version ${txt(published.version)}  sha256 ${txt(published.versionHash).slice(0, 16)}…`,
    );
  }
  say();
  return texts;
}

interface Flow {
  organisationId: string;
  texts: Map<string, string>;
}

/** The seeker front end: shows the text (proof of showing), then records the answer; returns the receipt for a grant. */
async function askConsent(
  flow: Flow,
  who: { registrationId: string; subjectId?: string; role: Audience; allocationId?: string },
  purpose: Purpose,
  answer: 'GRANTED' | 'REFUSED',
): Promise<{ consentId: string; receipt: string | null }> {
  const system = clientsFor(await people.tokenFor(flow.organisationId, ['allocation-system']));
  const textId = flow.texts.get(`${who.role}/${purpose}`) as string;
  const showing = expectStatus(
    'showing',
    await untilNot409(() =>
      system.consent.POST('/showings', {
        body: {
          textId,
          registrationId: who.registrationId,
          subjectRole: who.role,
          channel: 'WEB',
          ...(who.subjectId ? { subjectId: who.subjectId } : {}),
          ...(who.allocationId ? { allocationId: who.allocationId } : {}),
        },
      }),
    ),
    201,
  );
  const answered = expectStatus(
    'answer',
    await system.consent.POST('/consents', { body: { showingId: txt(showing.showingId), answer } }),
    201,
  );
  return {
    consentId: txt(answered.consentId),
    receipt: answered.receipt ? txt(answered.receipt) : null,
  };
}

/** The receipt of a granted consent (the demonstration stops if a grant came without one). */
function receiptOf(consent: { receipt: string | null }): string {
  if (consent.receipt === null) throw new Error('a granted consent answered without a receipt');
  return consent.receipt;
}

type Action = 'SHARE' | 'ABORT_BEFORE_LOGIN' | 'ABORT_AFTER_LOGIN' | 'OTHER_PERSON';

/** Starts a MijnOverheid sharing session with the receipt and plays the person in the DvMG SIMULATOR. */
async function share(flow: Flow, receipt: string, purpose: Purpose, action: Action, person: Person) {
  const system = clientsFor(await people.tokenFor(flow.organisationId, ['allocation-system']));
  const session = expectStatus(
    'session',
    await untilNot409(() =>
      system['identity-validation'].POST('/sharing-sessions', { body: { receipt, purpose } }),
    ),
    201,
  );
  const id = txt(session.sessionId);
  expectStatus(
    'simulator',
    await anonymous['identity-validation'].POST('/simulators/dvmg/sessions/{id}/script', {
      params: { path: { id } },
      headers: { 'x-simulator-token': simulatorToken() },
      body: { action, testPersonBsn: person.bsn },
    }),
    200,
  );
  return eventually(
    async () =>
      expectStatus(
        'session',
        await system['identity-validation'].GET('/sharing-sessions/{id}', { params: { path: { id } } }),
        200,
      ),
    {
      description: `session ${id} to leave AWAITING_DELIVERY`,
      until: (s) => s.state !== 'AWAITING_DELIVERY',
      intervalMs: 200,
    },
  ).then((s) => ({ ...s, sessionId: id }));
}

async function confirm(flow: Flow, sessionId: string, agrees: boolean) {
  const system = clientsFor(await people.tokenFor(flow.organisationId, ['allocation-system']));
  return expectStatus(
    'confirmation',
    await system['identity-validation'].POST('/sharing-sessions/{id}/confirmation', {
      params: { path: { id: sessionId } },
      body: { agrees },
    }),
    200,
  );
}

async function register(
  flow: Flow,
  person: Person,
  overrides: Partial<RegistrationInput> = {},
): Promise<string> {
  const system = clientsFor(await people.tokenFor(flow.organisationId, ['allocation-system']));
  const r = expectStatus(
    'registration',
    await system.registration.POST('/registrations', {
      body: {
        ...(person.prefix ? { surnamePrefix: person.prefix } : {}),
        surname: person.surname,
        birthDate: person.birthDate,
        genderMarker: person.gender,
        postcode: person.postcode,
        houseNumber: person.houseNumber,
        registrationDate: '2022-09-01',
        ...overrides,
      },
    }),
    201,
  );
  return txt(r.registrationId);
}

async function registrationProcesses(flow: Flow) {
  say(
    '-- 3. DIV-it processes 1 and 2: the BSN at registration (MijnOverheid and BV BSN are SIMULATORS here)',
  );
  // Process 1, zoekpad 2 fails on the misspelt surname, zoekpad 1 succeeds and corrects it.
  const anna = await register(flow, PERSON.anna, { surname: 'Testhuis' });
  const annaConsent = await askConsent(
    flow,
    { registrationId: anna, role: 'HOME_SEEKER' },
    'BSN_AT_REGISTRATION',
    'GRANTED',
  );
  say(
    `Anna registers (stated surname "Testhuis"), is shown the text and consents → receipt ${txt(annaConsent.receipt).slice(0, 24)}… (Ed25519, verifiable with /.well-known/jwks.json)`,
  );
  const verified = expectStatus(
    'verification',
    await anonymous.consent.POST('/receipts/verification', { body: { receipt: receiptOf(annaConsent) } }),
    200,
  );
  say(
    `  POST /receipts/verification → valid=${txt(verified.valid)}, controller route ${txt(verified.payload?.ctl?.route)}`,
  );
  const annaSession = await share(flow, receiptOf(annaConsent), 'BSN_AT_REGISTRATION', 'SHARE', PERSON.anna);
  const shown = annaSession.validatedIdentity;
  say(
    `  MijnOverheid: DigiD login and sharing → BV BSN zoekpad 2 fails, zoekpad 1 matches; Anna is shown "${txt(shown?.surnamePrefix ?? '')} ${txt(shown?.surname)}", ${txt(shown?.birthDate)} (state ${txt(annaSession.state)})`,
  );
  const annaDone = await confirm(flow, txt(annaSession.sessionId), true);
  say(
    `  Anna confirms → ${txt(annaDone.state)}: only a keyed hash of the BSN is kept; registration stores the validated surname and birth date`,
  );
  const annaView = await eventually(
    async () =>
      expectStatus(
        'registration',
        await clientsFor(await people.tokenFor(flow.organisationId, ['allocation-system'])).registration.GET(
          '/registrations/{id}',
          { params: { path: { id: anna } } },
        ),
        200,
      ),
    {
      description: 'validated identity at registration',
      until: (r) => r.identity?.status === 'VALIDATED',
      intervalMs: 200,
    },
  );
  say(
    `  GET /registrations/:id → validated surname "${txt(annaView.identity?.validatedSurname)}", postcode/house number for the check erased: ${txt(annaView.postcode ?? 'null')}/${txt(annaView.houseNumber ?? 'null')}; registration date still ${txt(annaView.registrationDate)}`,
  );

  // Process 2: an existing registration is enriched (zoekpad 2 only).
  const dirk = await register(flow, PERSON.dirk, { registrationDate: '2014-03-17' });
  const dirkConsent = await askConsent(
    flow,
    { registrationId: dirk, role: 'HOME_SEEKER' },
    'BSN_FOR_EXISTING_REGISTRATION',
    'GRANTED',
  );
  const dirkSession = await share(
    flow,
    receiptOf(dirkConsent),
    'BSN_FOR_EXISTING_REGISTRATION',
    'SHARE',
    PERSON.dirk,
  );
  const dirkDone = await confirm(flow, txt(dirkSession.sessionId), true);
  say(`Dirk (registered since 2014, process 2: zoekpad 2 only) → ${txt(dirkDone.state)}`);

  // Failures: each stops the procedure for that person, deletes any BSN and tells the allocator.
  const eva = await register(flow, PERSON.eva);
  await askConsent(flow, { registrationId: eva, role: 'HOME_SEEKER' }, 'BSN_AT_REGISTRATION', 'REFUSED');
  say(
    'Eva refuses consent → U1: ConsentRefused, the allocator uses the paper route; her registration is unaffected',
  );
  const bram = await register(flow, PERSON.bram);
  const bramConsent = await askConsent(
    flow,
    { registrationId: bram, role: 'HOME_SEEKER' },
    'BSN_AT_REGISTRATION',
    'GRANTED',
  );
  const bramSession = await share(flow, receiptOf(bramConsent), 'BSN_AT_REGISTRATION', 'SHARE', PERSON.bram);
  const bramDone = await confirm(flow, txt(bramSession.sessionId), false);
  say(`Bram shares but disagrees with the data shown → ${txt(bramDone.state)} ${txt(bramDone.failureCode)}`);
  const wrong = await register(flow, PERSON.charlie, { birthDate: '1999-12-31' });
  const wrongConsent = await askConsent(
    flow,
    { registrationId: wrong, role: 'HOME_SEEKER' },
    'BSN_AT_REGISTRATION',
    'GRANTED',
  );
  const wrongSession = await share(
    flow,
    receiptOf(wrongConsent),
    'BSN_AT_REGISTRATION',
    'SHARE',
    PERSON.charlie,
  );
  say(
    `Charlie stated a wrong birth date → zoekpad 2 and 1 both fail → ${txt(wrongSession.state)} ${txt(wrongSession.failureCode)}`,
  );
  const quitter = await register(flow, PERSON.eva, { email: 'second@example.org' });
  const quitterConsent = await askConsent(
    flow,
    { registrationId: quitter, role: 'HOME_SEEKER' },
    'BSN_AT_REGISTRATION',
    'GRANTED',
  );
  const quitterSession = await share(
    flow,
    receiptOf(quitterConsent),
    'BSN_AT_REGISTRATION',
    'ABORT_AFTER_LOGIN',
    PERSON.eva,
  );
  say(
    `a seeker logs in with DigiD and then cancels at MijnOverheid → ${txt(quitterSession.state)} ${txt(quitterSession.failureCode)} (the DigiD login is still billable)`,
  );
  say();
  return { anna, annaConsentId: annaConsent.consentId, dirk, eva };
}

interface Allocation {
  allocationId: string;
  members: { memberId: string; role: string; adult: boolean }[];
}

async function allocate(
  flow: Flow,
  registrationId: string,
  lettingCorporationId: string,
  extra: Partial<AllocationInput>,
): Promise<Allocation> {
  const system = clientsFor(await people.tokenFor(flow.organisationId, ['allocation-system']));
  const r = expectStatus(
    'allocation',
    await system.registration.POST('/allocations', {
      body: {
        registrationId,
        dwellingReference: `VHE-${Math.floor(Math.random() * 90000) + 10000}`,
        lettingCorporationId,
        monthlyRentCents: 65000,
        leaseStartDate: '2026-12-01',
        coResidents: [],
        ...extra,
      },
    }),
    201,
  );
  return { allocationId: txt(r.allocationId), members: r.members };
}

/** The income decision of an allocation, once income-retrieval has made it. */
async function decisionOf(flow: Flow, allocationId: string) {
  const system = clientsFor(await people.tokenFor(flow.organisationId, ['allocation-system']));
  await waitForAllocationView(flow, allocationId);
  return eventually(
    async () =>
      expectStatus(
        'income',
        await system['income-retrieval'].GET('/allocations/{allocationId}', {
          params: { path: { allocationId } },
        }),
        200,
      ),
    {
      description: `the income decision for ${allocationId}`,
      until: (v) => v.decision !== null && v.decision !== undefined,
      timeoutMs: 90_000,
      intervalMs: 200,
    },
  ).then(({ decision }) => {
    if (!decision) throw new Error(`no income decision for ${allocationId}`); // `until` waited for one
    return decision;
  });
}

async function waitForAllocationView(flow: Flow, allocationId: string): Promise<void> {
  const system = clientsFor(await people.tokenFor(flow.organisationId, ['allocation-system']));
  await eventually(
    async () =>
      (
        await system['income-retrieval'].GET('/allocations/{allocationId}', {
          params: { path: { allocationId } },
        })
      ).response.status,
    {
      description: `income-retrieval to know allocation ${allocationId}`,
      until: (s) => s === 200,
      intervalMs: 200,
    },
  );
}

async function allocationProcesses(
  flow: Flow,
  ids: { anna: string; dirk: string; eva: string },
  kade: string,
  oost: string,
) {
  say('-- 4. DIV-it processes 3 and 4: BSN and income at allocation, the income test and the decision');
  // DIV-it is only for social rental dwellings: a free-sector rent is refused before anything is recorded.
  const system = clientsFor(await people.tokenFor(flow.organisationId, ['allocation-system']));
  const freeSector = await system.registration.POST('/allocations', {
    body: {
      registrationId: ids.anna,
      dwellingReference: 'VHE-VRIJESECTOR',
      lettingCorporationId: kade,
      monthlyRentCents: 125000,
      leaseStartDate: '2026-12-01',
      coResidents: [],
    },
  });
  if (freeSector.response.status !== 422 || freeSector.error?.code !== 'RENT_ABOVE_LIBERALISATION_LIMIT')
    throw new Error(`a free-sector allocation: expected 422, got ${freeSector.response.status}`);
  say(
    `POST /allocations  rent EUR 1,250.00 (free sector) → 422 ${freeSector.error.code}: ${txt(freeSector.error.detail)}`,
  );
  // Anna, her adult partner Charlie and a child get a dwelling of De Kade.
  const a = await allocate(flow, ids.anna, kade, {
    coResidents: [
      { surname: PERSON.charlie.surname, birthDate: PERSON.charlie.birthDate },
      { surname: 'Testhuizen', birthDate: '2019-05-05' },
    ],
  });
  await waitForAllocationView(flow, a.allocationId);
  const charlie = a.members.find((m) => m.role === 'CO_RESIDENT' && m.adult);
  if (!charlie) throw new Error(`allocation ${a.allocationId} has no adult co-resident`);
  say(
    `allocation ${shortId(a.allocationId)} (De Kade, rent EUR 650.00, lease 2026-12-01): home seeker + adult co-resident + child → two people must share (children do not count)`,
  );
  const hs = await askConsent(
    flow,
    { registrationId: ids.anna, role: 'HOME_SEEKER', allocationId: a.allocationId },
    'BSN_AND_INCOME_AT_ALLOCATION',
    'GRANTED',
  );
  const hsShare = await share(flow, receiptOf(hs), 'BSN_AND_INCOME_AT_ALLOCATION', 'SHARE', PERSON.anna);
  say(
    `  Anna consents and shares BSN + income → hash matches the one from registration → ${txt(hsShare.state)}`,
  );
  const co = await askConsent(
    flow,
    {
      registrationId: ids.anna,
      subjectId: charlie.memberId,
      role: 'CO_RESIDENT',
      allocationId: a.allocationId,
    },
    'BSN_AND_INCOME_AT_ALLOCATION',
    'GRANTED',
  );
  const coShare = await share(flow, receiptOf(co), 'BSN_AND_INCOME_AT_ALLOCATION', 'SHARE', PERSON.charlie);
  say(
    `  Charlie (co-resident) consents and shares → stated surname and birth date verified through BV BSN → ${txt(coShare.state)}`,
  );
  const d = await decisionOf(flow, a.allocationId);
  say(
    `  decision: ${txt(d.outcome)}, passend-toewijzen ${txt(d.passendCategory)} (within limit: ${txt(d.withinPassendLimit)}, rent fits: ${txt(d.passend)}), income year ${txt(d.incomeYear)}, norms ${txt(d.normVersion)}`,
  );
  await controllerHandOver(flow, a.allocationId, kade);

  // Dirk's allocation (Woonbron Oost): a different person logs in at MijnOverheid → U4.
  const b = await allocate(flow, ids.dirk, oost, {});
  await waitForAllocationView(flow, b.allocationId);
  const dc = await askConsent(
    flow,
    { registrationId: ids.dirk, role: 'HOME_SEEKER', allocationId: b.allocationId },
    'BSN_AND_INCOME_AT_ALLOCATION',
    'GRANTED',
  );
  const ds = await share(flow, receiptOf(dc), 'BSN_AND_INCOME_AT_ALLOCATION', 'OTHER_PERSON', PERSON.dirk);
  const bDecision = await decisionOf(flow, b.allocationId);
  say(
    `allocation ${shortId(b.allocationId)} (Woonbron Oost): someone else's DigiD is used → hashed BSN does not match → ${txt(ds.failureCode)}; decision ${txt(bDecision.outcome)} (${txt(bDecision.alternativeRouteReason)}, member ${shortId(bDecision.failedMemberId)})`,
  );

  // Eva's household: students with study finance, exempt from the income test.
  const c = await allocate(flow, ids.eva, kade, { exemptionGroup: 'STUDENTS_WITH_STUDY_FINANCE' });
  const cDecision = await decisionOf(flow, c.allocationId);
  say(
    `allocation ${shortId(c.allocationId)}: students with study finance → ${txt(cDecision.outcome)} (no digital procedure offered)`,
  );
  // DIV-it may not be offered to an exempted household: consent refuses to show the text for it (issue 16 item 4).
  const exemptSystem = clientsFor(await people.tokenFor(flow.organisationId, ['allocation-system']));
  const exemptShowing = await eventually(
    () =>
      exemptSystem.consent.POST('/showings', {
        body: {
          textId: flow.texts.get('HOME_SEEKER/BSN_AND_INCOME_AT_ALLOCATION') as string,
          registrationId: ids.eva,
          subjectRole: 'HOME_SEEKER',
          channel: 'WEB',
          allocationId: c.allocationId,
        },
      }),
    {
      description: 'consent to learn the exempt allocation',
      until: (r) => (r.error as { code?: string } | undefined)?.code !== 'ALLOCATION_UNKNOWN',
      timeoutMs: 30_000,
      intervalMs: 200,
    },
  );
  const exemptCode = (exemptShowing.error as { code?: string } | undefined)?.code;
  if (exemptShowing.response.status !== 409 || exemptCode !== 'ALLOCATION_EXEMPT')
    throw new Error(
      `an exempt household's consent: expected 409 ALLOCATION_EXEMPT, got ${exemptShowing.response.status}`,
    );
  say(
    `  asking Eva's consent for it anyway → HTTP 409 ${exemptCode}: no consent, no MijnOverheid session, nothing billed`,
  );

  // The accountant's evidence.
  const auditor = clientsFor(await people.tokenFor(flow.organisationId, ['auditor']));
  const statement = expectStatus(
    'statement',
    await auditor['income-retrieval'].GET('/statements/{allocationId}', {
      params: { path: { allocationId: a.allocationId } },
    }),
    200,
  );
  const pdf = expectStatus(
    'statement pdf',
    await auditor['income-retrieval'].GET('/statements/{allocationId}/pdf', {
      params: { path: { allocationId: a.allocationId } },
      parseAs: 'arrayBuffer',
    }),
    200,
  );
  writeReport('income-statement.pdf', Buffer.from(pdf));
  writeReport('income-statement.json', JSON.stringify(statement, null, 2));
  say(
    `  auditor: GET /statements/:allocationId → household income ${euro(statement.householdIncomeCents)} (JSON and PDF written to reports/demo/income-statement.*)`,
  );
  const evidence = expectStatus(
    'consent evidence',
    await auditor.consent.GET('/registrations/{id}/consent-evidence.pdf', {
      params: { path: { id: ids.anna } },
      parseAs: 'arrayBuffer',
    }),
    200,
  );
  writeReport('consent-evidence.pdf', Buffer.from(evidence));
  say(
    '  auditor: consent evidence for Anna (every text shown, answers, receipts) → reports/demo/consent-evidence.pdf',
  );
  say();
  return { annaAllocation: a.allocationId };
}

/**
 * Route B: WoonNet Regio is controller from registration until Anna accepts the offered dwelling; from the acceptance
 * De Kade, the letting corporation, is (seed 000, ADR 0035). WoonNet's allocation system records the acceptance;
 * registration publishes AllocationOfferAccepted and consent then lets De Kade read the allocation's consent status.
 */
async function controllerHandOver(flow: Flow, allocationId: string, kade: string): Promise<void> {
  const system = clientsFor(await people.tokenFor(flow.organisationId, ['allocation-system']));
  const name = (id: string) =>
    id === kade ? 'De Kade' : id === flow.organisationId ? 'WoonNet Regio' : shortId(id);
  const names = (c: { organisationIds: string[] } | null | undefined) =>
    (c?.organisationIds ?? []).map(name).join(', ');
  const before = expectStatus(
    'allocation',
    await system.registration.GET('/allocations/{id}', { params: { path: { id: allocationId } } }),
    200,
  );
  say(
    `  controller of allocation ${shortId(allocationId)} until acceptance: ${names(before.controller)} (${txt(before.controller?.basis)})`,
  );
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam' }).format(new Date());
  const accepted = expectStatus(
    'acceptance',
    await system.registration.POST('/allocations/{id}/acceptance', {
      params: { path: { id: allocationId } },
      body: { acceptedOn: today },
    }),
    200,
  );
  say(
    `  POST /allocations/:id/acceptance  Anna accepts the dwelling on ${accepted.acceptedOn} → controller ${names(accepted.previousController)} → ${names(accepted.controller)} (${accepted.controller.basis}); AllocationOfferAccepted published`,
  );
  const kadeSystem = clientsFor(await people.tokenFor(kade, ['allocation-system']));
  const status = await eventually(
    async () =>
      kadeSystem.consent.GET('/allocations/{id}/consent-status', { params: { path: { id: allocationId } } }),
    {
      description: 'consent to learn the acceptance',
      until: (r) => r.response.status === 200,
      timeoutMs: 30_000,
      intervalMs: 200,
    },
  );
  say(
    `  De Kade now reads the allocation's consent status (${status.data?.people.length ?? 0} people); WoonNet Regio keeps reading it as processor`,
  );
}

async function dbCount(database: string, sql: string, params: unknown[]): Promise<number> {
  const client = new Client({
    host: process.env.PGHOST ?? '127.0.0.1',
    port: Number(process.env.PGPORT ?? 5432),
    user: 'postgres',
    database,
  });
  await client.connect();
  try {
    const r = await client.query<{ c: string }>(sql, params);
    return Number(r.rows[0]?.c ?? 0);
  } finally {
    await client.end();
  }
}

async function withdrawalAndRetention(
  flow: Flow,
  ids: { anna: string; annaConsentId: string; eva: string },
  annaAllocation: string,
) {
  say('-- 5. withdrawal (intrekken) and retention');
  const system = clientsFor(await people.tokenFor(flow.organisationId, ['allocation-system']));
  const admin = clientsFor(await people.tokenFor(flow.organisationId, ['admin']));
  const auditor = clientsFor(await people.tokenFor(flow.organisationId, ['auditor']));
  const hashes = () =>
    dbCount('divit_identity_validation', 'SELECT count(*) AS c FROM bsn_hashes WHERE registration_id = $1', [
      ids.anna,
    ]);
  say(`before: identity-validation holds ${await hashes()} hashed BSN for Anna`);
  const started = Date.now();
  const withdraw = async () =>
    expectStatus(
      'withdrawal',
      await system.consent.POST('/consents/{id}/withdrawal', { params: { path: { id: ids.annaConsentId } } }),
      200,
    );
  const first = await withdraw();
  const again = await withdraw();
  say(
    `Anna withdraws her consent (sent twice: same answer ${txt(first.withdrawnAt) === txt(again.withdrawnAt) ? 'both times' : 'DIFFERENT'}, one ConsentWithdrawn event)`,
  );
  await eventually(hashes, {
    description: 'the hashed BSN to be erased',
    until: (n) => n === 0,
    timeoutMs: 30_000,
    intervalMs: 200,
  });
  const erasedAfter = Date.now() - started;
  const deletionLog = async (subjectPseudonym: string) =>
    expectStatus(
      'deletion log',
      await auditor['retention-cleanup'].GET('/deletion-log', { params: { query: { subjectPseudonym } } }),
      200,
    );
  const log = await eventually(() => deletionLog(ids.anna), {
    description: 'the deletion log to show the erasure',
    until: (r) => (r.records ?? []).some((x) => x.category === 'HASHED_BSN'),
    timeoutMs: 30_000,
    intervalMs: 200,
  });
  say(
    `  hashed BSN gone from identity-validation's database ${(erasedAfter / 1000).toFixed(1)} s after the withdrawal (erased by its owner on the withdrawal event itself);`,
  );
  say(
    "  retention-cleanup's erasure commands were acknowledged by every owner (0 = nothing was left); deletion log:",
  );
  for (const rec of log.records ?? [])
    say(
      `    ${txt(rec.category).padEnd(16)} ${txt(rec.targetService).padEnd(20)} reason ${txt(rec.reason).padEnd(18)} erased ${txt(rec.erasedCount)}  policy ${txt(rec.policyId)}`,
    );
  const statement = await auditor['income-retrieval'].GET('/statements/{allocationId}', {
    params: { path: { allocationId: annaAllocation } },
  });
  const registration = await eventually(
    async () =>
      expectStatus(
        'registration',
        await system.registration.GET('/registrations/{id}', { params: { path: { id: ids.anna } } }),
        200,
      ),
    {
      description: "registration to mark Anna's identity HASH_ERASED",
      until: (r) => r.identity?.status === 'HASH_ERASED',
      timeoutMs: 30_000,
      intervalMs: 200,
    },
  );
  say(
    `  kept: the income used in the completed test (statement HTTP ${statement.response.status}), the validated name, and the registration (date ${txt(registration.registrationDate)}, status ${txt(registration.status ?? 'active')})`,
  );
  say(
    `  registration shows the identity as ${txt(registration.identity?.status)}: the validated name "${txt(registration.identity?.validatedSurname)}" stays, a new BSN check is needed before a next allocation can use the digital route`,
  );

  // A scheduled sweep: WoonNet shortens registration-data retention after deregistration to zero days.
  for (const category of ['REGISTRATION_DATA', 'CONSENT_PROOFS'] as const)
    expectStatus(
      'policy',
      await admin['retention-cleanup'].PUT('/policies/{category}/organisations/{organisationId}', {
        params: { path: { category, organisationId: flow.organisationId } },
        body: { retention: 'P0D', reason: 'demonstration: erase at the next sweep after deregistration' },
      }),
      200,
    );
  // POST /registrations/{id}/deregister takes no body (the demonstration used to send a reason it ignored).
  expectStatus(
    'deregistration',
    await system.registration.POST('/registrations/{id}/deregister', { params: { path: { id: ids.eva } } }),
    200,
  );
  say(
    'WoonNet sets REGISTRATION_DATA and CONSENT_PROOFS retention to P0D (within the legal range); Eva deregisters',
  );
  await eventually(
    async () =>
      expectStatus(
        'erasures',
        await admin['retention-cleanup'].GET('/erasures', { params: { query: { registrationId: ids.eva } } }),
        200,
      ),
    {
      description: 'the deregistration to be scheduled',
      until: (rows) => rows.length >= 2,
      timeoutMs: 30_000,
      intervalMs: 200,
    },
  );
  const sweep = expectStatus('sweep', await platformOperator['retention-cleanup'].POST('/sweeps'), 200);
  say(`POST /sweeps (the same sweep runs on a schedule) → issued ${JSON.stringify(sweep).slice(0, 160)}`);
  const evaLog = await eventually(() => deletionLog(ids.eva), {
    description: "the sweep's erasures to be acknowledged",
    until: (r) => (r.records ?? []).filter((x) => x.reason === 'REGISTRATION_DEREGISTERED').length >= 2,
    timeoutMs: 30_000,
    intervalMs: 200,
  });
  for (const rec of (evaLog.records ?? []).filter((x) => x.reason === 'REGISTRATION_DEREGISTERED'))
    say(
      `    ${txt(rec.category).padEnd(18)} ${txt(rec.targetService).padEnd(14)} erased ${txt(rec.erasedCount)}  (deletion log, no personal data)`,
    );
  const overdue = expectStatus('overdue', await admin['retention-cleanup'].GET('/erasures/overdue'), 200);
  say(`  overdue erasures: ${txt(overdue.count)} (also the divit_retention_overdue_erasures metric)`);
  say();
}

async function billing(
  flow: Flow,
  usage: SeenEvent[],
  members: { kade: string; oost: string },
  finance: SeenEvent[],
) {
  say('-- 6. the MijnOverheid invoice: reconcile and split over the member corporations');
  const ours = usage.filter((e) => e.value.organisationId === flow.organisationId);
  const count = (unit: string) => ours.filter((e) => e.value.unit === unit).length;
  const logins = count('DIGID_LOGIN');
  const sharings = count('DATA_SHARING');
  const attributable = ours.filter((e) => e.value.lettingCorporationId).length;
  say(
    `usage counted this run for WoonNet: ${logins} DigiD logins, ${sharings} sharings (${attributable} at allocation, attributable to the letting corporation)`,
  );
  // Logius' invoice as MijnOverheid would send it: one more login than we counted (tariffs: services/billing-reconciliation/config/tariffs.json, assumptions).
  const now = new Date();
  const periodStart = `${now.getUTCFullYear()}-${txt(now.getUTCMonth() + 1).padStart(2, '0')}-01`;
  // A monthly invoice would end on the last day of the month; a demonstration cannot wait, so the period ends today.
  const periodEnd = now.toISOString().slice(0, 10);
  const financeOfficer = clientsFor(await people.tokenFor(flow.organisationId, ['finance']));
  const tariffs = expectStatus(
    'tariffs',
    await financeOfficer['billing-reconciliation'].GET('/tariffs'),
    200,
  );
  const invoiceNumber = `MO-${periodStart.slice(0, 7)}-${run}`;
  const {
    csv,
    cents: { DIGID_LOGIN: loginCents },
    totalCents: invoiceTotal,
  } = logiusInvoice({
    tariffs,
    invoiceNumber,
    payerOrganisationId: flow.organisationId,
    periodStart,
    periodEnd,
    counts: { DIGID_LOGIN: logins + 1, DATA_SHARING: sharings },
  });
  const importInvoice = (file: string) =>
    financeOfficer['billing-reconciliation'].POST('/invoices', { body: file, ...csvBody });
  const bad = await importInvoice(csv.replace(',EUR,', ',USD,').replace(`,${loginCents},`, ',12.5,'));
  // The 422 problem of POST /invoices is documented with its `problems` list (@ApiProblems members).
  const badLines = bad.error && 'problems' in bad.error ? bad.error.problems : [];
  say(
    `import a malformed invoice file → ${bad.response.status}: ${badLines.map((e) => `line ${e.line} ${e.field}`).join(', ')} (nothing imported)`,
  );
  const imported = expectStatus('invoice', await importInvoice(csv), 201);
  const twice = await importInvoice(csv);
  say(
    `import invoice ${invoiceNumber} (${euro(invoiceTotal)}) → 201; the same file again → ${twice.response.status} (imported once)`,
  );
  void imported;
  const body = { payerOrganisationId: flow.organisationId, periodStart, periodEnd };
  await eventually(
    async () =>
      expectStatus(
        'dry run',
        await financeOfficer['billing-reconciliation'].POST('/reconciliations/dry-run', { body }),
        200,
      ),
    {
      description: 'the usage ledger to hold this run',
      until: (r) => JSON.stringify(r).includes('USAGE_MISSING_ON_OUR_SIDE'),
      timeoutMs: 60_000,
      intervalMs: 200,
    },
  );
  const closed = expectStatus(
    'close',
    await financeOfficer['billing-reconciliation'].POST('/reconciliations/close', { body }),
    201,
  );
  const id = txt(closed.reconciliationId);
  const discrepancies = expectStatus(
    'discrepancies',
    await financeOfficer['billing-reconciliation'].GET('/reconciliations/{id}/discrepancies', {
      params: { path: { id }, query: { format: 'json' } },
    }),
    200,
  );
  // format=json: the JSON view (the document also allows the CSV text of format=csv).
  const classes = (typeof discrepancies === 'string' ? [] : discrepancies.discrepancies).map(
    (x) => `${txt(x.class)} ${txt(x.unit ?? '')} ${txt(x.count ?? '')}`,
  );
  say(
    `period ${periodStart}..${periodEnd} closed (result version ${txt(closed.version)}); differences explained: ${classes.join('; ') || JSON.stringify(discrepancies).slice(0, 200)}`,
  );
  // The files are written byte for byte as the service sent them (parseAs 'arrayBuffer').
  const statements = expectStatus(
    'statements',
    await financeOfficer['billing-reconciliation'].GET('/reconciliations/{id}/statements', {
      params: { path: { id } },
      parseAs: 'arrayBuffer',
    }),
    200,
  );
  const overview = expectStatus(
    'overview',
    await clientsFor(await people.tokenFor(flow.organisationId, ['coordinator']))[
      'billing-reconciliation'
    ].GET('/reconciliations/{id}/overview', { params: { path: { id } }, parseAs: 'arrayBuffer' }),
    200,
  );
  writeReport('member-statements.csv', Buffer.from(statements));
  writeReport('coordinator-overview.pdf', Buffer.from(overview));
  for (const [name, member] of [
    ['de-kade', members.kade],
    ['woonbron-oost', members.oost],
  ] as const) {
    const own = expectStatus(
      'member statement',
      await clientsFor(await people.tokenFor(member, ['member']))['billing-reconciliation'].GET(
        '/reconciliations/{id}/statements/{memberId}',
        { params: { path: { id, memberId: member }, query: { format: 'pdf' } }, parseAs: 'arrayBuffer' },
      ),
      200,
    );
    writeReport(`statement-${name}.pdf`, Buffer.from(own));
  }
  const denied = await clientsFor(await people.tokenFor(members.oost, ['member']))[
    'billing-reconciliation'
  ].GET('/reconciliations/{id}/statements/{memberId}', {
    params: { path: { id, memberId: members.kade }, query: { format: 'csv' } },
    parseAs: 'text',
  });
  say(
    `reports/demo/: member-statements.csv, coordinator-overview.pdf (bar chart per member), statement-de-kade.pdf, statement-woonbron-oost.pdf; Woonbron Oost reading De Kade's statement → ${denied.response.status}`,
  );
  const settlements = await eventually(
    () => Promise.resolve(finance.filter((e) => e.value.invoiceNumber === invoiceNumber)),
    { description: 'the settlement events', until: (s) => s.length >= 2, timeoutMs: 30_000, intervalMs: 200 },
  );
  let sum = 0;
  for (const s of settlements) {
    sum += Number(s.value.amountCents);
    const who = s.value.memberOrganisationId === members.kade ? 'De Kade      ' : 'Woonbron Oost';
    say(
      `  finance system ← MemberSettlementCalculated  ${who} ${euro(s.value.amountCents).padStart(10)}  (attributable ${euro(s.value.attributableCents)}, by housing stock ${euro(s.value.sharedCents)}, key ${txt(s.value.keyShareNumerator)}/${txt(s.value.keyShareDenominator)})`,
    );
  }
  say(
    `  members' parts add up to ${euro(sum)}; invoice total ${euro(invoiceTotal)} → ${sum === invoiceTotal ? 'exact to the cent' : 'MISMATCH'}`,
  );
  if (sum !== invoiceTotal) throw new Error('settlements do not add up to the invoice');
  say();
}

/**
 * One year of the Woonkans guarantee fund (issue 17, agreement article 7 and annex 3) held by WoonNet: the
 * municipalities by their regional key, De Kade and Woonbron Oost by their housing stock, two care providers at a
 * fixed amount; the initial call paid in, a claim approved by the chair and paid by the cashier that takes the
 * balance below the threshold (the top-up call is made at once), a refused claim, a care provider joining in July;
 * statements, the overview with its balance chart and the half-yearly monitoring figures to reports/demo/.
 */
async function guaranteeFundYear(owner: string, corporations: { kade: string; oost: string }): Promise<void> {
  say('-- 7. the Woonkans guarantee fund: one fund year on the billing split engine');
  const year = 2026; // the housing stock above is in force from 2026-01-01
  const admin = clientsFor(await people.tokenFor(owner, ['admin']))['billing-reconciliation'];
  const cashier = clientsFor(await people.tokenFor(owner, ['fund-cashier']))['billing-reconciliation'];
  const chair = clientsFor(await people.tokenFor(owner, ['fund-chair']))['billing-reconciliation'];
  const fund = expectStatus(
    'fund',
    await admin.POST('/guarantee-funds', {
      body: { ownerOrganisationId: owner, name: `Garantiefonds Woonkans ${run}`, startsOn: `${year}-01-01` },
    }),
    201,
  );
  const id = fund.fundId;
  const party = async (body: {
    kind: 'MUNICIPALITY' | 'CORPORATION' | 'CARE_PROVIDER';
    name: string;
    organisationId?: string;
    regionalKey?: number;
    joinedOn: string;
  }) =>
    expectStatus(
      'party',
      await admin.POST('/guarantee-funds/{id}/parties', { params: { path: { id } }, body }),
      201,
    ).partyId;
  await party({ kind: 'MUNICIPALITY', name: 'Gemeente Venray', regionalKey: 3, joinedOn: `${year}-01-01` });
  await party({
    kind: 'MUNICIPALITY',
    name: 'Gemeente Horst aan de Maas',
    regionalKey: 2,
    joinedOn: `${year}-01-01`,
  });
  await party({
    kind: 'MUNICIPALITY',
    name: 'Gemeente Peel en Maas',
    regionalKey: 2,
    joinedOn: `${year}-01-01`,
  });
  const kade = await party({
    kind: 'CORPORATION',
    name: 'De Kade',
    organisationId: corporations.kade,
    joinedOn: `${year}-01-01`,
  });
  await party({
    kind: 'CORPORATION',
    name: 'Woonbron Oost',
    organisationId: corporations.oost,
    joinedOn: `${year}-01-01`,
  });
  await party({ kind: 'CARE_PROVIDER', name: 'Zorgaanbieder Noord', joinedOn: `${year}-01-01` });
  await party({ kind: 'CARE_PROVIDER', name: 'Zorgaanbieder Midden', joinedOn: `${year}-01-01` });
  type Call = { callId: string; lines: { partyId: string; amountCents: number }[] };
  const receiveAll = async (call: Call, receivedOn: string) => {
    for (const line of call.lines.filter((l) => l.amountCents > 0))
      expectStatus(
        'receipt',
        await cashier.POST('/guarantee-funds/{id}/calls/{callId}/receipts', {
          params: { path: { id, callId: call.callId } },
          body: { partyId: line.partyId, receivedOn },
        }),
        201,
      );
  };
  // The housing stock reaches billing as HousingStockRecorded: until it has, the corporations' key is empty (422).
  const initial = await eventually(
    async () =>
      cashier.POST('/guarantee-funds/{id}/calls', {
        params: { path: { id } },
        body: { calledOn: `${year}-01-05` },
      }),
    {
      description: 'the housing stock in billing',
      until: (r) => r.response.status !== 422,
      timeoutMs: 30_000,
      intervalMs: 500,
    },
  );
  const first = expectStatus('initial call', initial, 201);
  const total = first.lines.reduce((a, l) => a + l.amountCents, 0);
  say(
    `initial call ${year}-01-05: ${first.lines.length} parties, ${euro(total)} (municipalities 3:2:2 of ${euro(5_000_000)}, corporations by dwellings of ${euro(5_000_000)}, care providers ${euro(100_000)} each; largest remainder, exact to the cent)`,
  );
  await receiveAll(first, `${year}-01-31`);
  const form = {
    partyId: kade,
    caseReference: `WK-${year}-0017`,
    tenancyEnd: 'EVICTION' as const,
    tenancyEndedOn: `${year}-02-28`,
    amountCents: 8_000_000,
    depositCents: 90_000,
    categories: [
      { category: 'RENT_LOSS' as const, amountCents: 5_000_000 },
      { category: 'REPAIR_MUTATION' as const, amountCents: 2_500_000 },
      { category: 'EVICTION_COSTS' as const, amountCents: 500_000 },
    ],
    documents: ['DMS/2026/4411', 'opname-2026-02-28.pdf'],
  };
  const kadeFinance = clientsFor(await people.tokenFor(corporations.kade, ['finance']))[
    'billing-reconciliation'
  ];
  const claim = expectStatus(
    'claim',
    await kadeFinance.POST('/guarantee-funds/{id}/claims', { params: { path: { id } }, body: form }),
    201,
  );
  const claimPath = { params: { path: { id, claimId: claim.claimId } } };
  const byCashier = await cashier.POST('/guarantee-funds/{id}/claims/{claimId}/decision', {
    ...claimPath,
    body: { decision: 'APPROVE', reason: 'not the chair' },
  });
  expectStatus(
    'approval',
    await chair.POST('/guarantee-funds/{id}/claims/{claimId}/decision', {
      ...claimPath,
      body: { decision: 'APPROVE', reason: `discussed at the Woonkans consultation of ${year}-03-05` },
    }),
    200,
  );
  const paid = expectStatus(
    'payment',
    await cashier.POST('/guarantee-funds/{id}/claims/{claimId}/payment', {
      ...claimPath,
      body: { paidOn: `${year}-03-10` },
    }),
    200,
  );
  say(
    `claim ${form.caseReference} (De Kade, eviction, ${euro(form.amountCents)}): the cashier deciding → ${byCashier.response.status}; approved by the chair, paid by the cashier; balance ${euro(paid.balanceCents)} < threshold ${euro(2_500_000)} → top-up call ${paid.topUpCall ? `made at once (${euro(paid.topUpCall.lines.reduce((a, l) => a + l.amountCents, 0))})` : 'MISSING'}`,
  );
  if (!paid.topUpCall) throw new Error('no top-up call below the threshold');
  await receiveAll(paid.topUpCall, `${year}-04-15`);
  const refusedClaim = expectStatus(
    'claim',
    await admin.POST('/guarantee-funds/{id}/claims', {
      params: { path: { id } },
      body: {
        ...form,
        caseReference: `WK-${year}-0023`,
        tenancyEnd: 'OTHER',
        amountCents: 80_000,
        categories: [{ category: 'REPAIR_MUTATION', amountCents: 80_000 }],
      },
    }),
    201,
  );
  const refusal = expectStatus(
    'refusal',
    await chair.POST('/guarantee-funds/{id}/claims/{claimId}/decision', {
      params: { path: { id, claimId: refusedClaim.claimId } },
      body: {
        decision: 'REFUSE',
        reason: 'the tenancy did not end by eviction or departure; below the deposit',
      },
    }),
    200,
  );
  const withBsn = await admin.POST('/guarantee-funds/{id}/claims', {
    params: { path: { id } },
    body: { ...form, caseReference: `WK-${year}-0031`, documents: ['BSN-123456782'] },
  });
  say(
    `claim ${refusedClaim.caseReference}: conditions not met (${refusedClaim.conditionFailures.join(', ')}) → ${refusal.status}; a claim with a BSN in it → ${withBsn.response.status}`,
  );
  await party({ kind: 'CARE_PROVIDER', name: 'Zorgaanbieder Oost (joined)', joinedOn: `${year}-07-01` });
  const ledger = expectStatus(
    'ledger',
    await admin.GET('/guarantee-funds/{id}/ledger', { params: { path: { id } } }),
    200,
  );
  say(
    `a care provider joined on ${year}-07-01 (in every call from then); balance after ${ledger.entries.length} entries: ${euro(ledger.balanceCents)}`,
  );
  const statementCsv = expectStatus(
    'statement',
    await kadeFinance.GET('/guarantee-funds/{id}/statements/{partyId}', {
      params: { path: { id, partyId: kade }, query: { format: 'csv' } },
      parseAs: 'arrayBuffer',
    }),
    200,
  );
  const statementPdf = expectStatus(
    'statement',
    await kadeFinance.GET('/guarantee-funds/{id}/statements/{partyId}', {
      params: { path: { id, partyId: kade }, query: { format: 'pdf' } },
      parseAs: 'arrayBuffer',
    }),
    200,
  );
  const overview = expectStatus(
    'overview',
    await chair.GET('/guarantee-funds/{id}/overview', { params: { path: { id } }, parseAs: 'arrayBuffer' }),
    200,
  );
  writeReport('fund-statement-de-kade.csv', Buffer.from(statementCsv));
  writeReport('fund-statement-de-kade.pdf', Buffer.from(statementPdf));
  writeReport('fund-overview.pdf', Buffer.from(overview));
  for (const half of [1, 2] as const) {
    const figures = expectStatus(
      'monitoring',
      await cashier.GET('/guarantee-funds/{id}/monitoring', {
        params: { path: { id }, query: { year, half } },
      }),
      200,
    );
    writeReport(`fund-monitoring-${year}-h${half}.json`, `${JSON.stringify(figures, null, 2)}\n`);
  }
  say(
    `reports/demo/: fund-statement-de-kade.{csv,pdf}, fund-overview.pdf (balance history chart), fund-monitoring-${year}-h1.json and -h2.json (half-yearly figures)`,
  );
  say();
}

/**
 * A subject-access request for Anna (issue 16 item 7, docs/adr/0032): what the six services hold about her
 * registration and the persons under it, as one report in JSON and PDF (what `npm run report:subject-access` writes),
 * scanned for the test BSNs before it is written.
 */
async function subjectAccessRequest(flow: Flow, registrationId: string): Promise<void> {
  say('-- 8. a subject-access request: everything the six services hold about Anna, in one report');
  const auditor = clientsFor(await people.tokenFor(flow.organisationId, ['auditor']));
  const sections = await collectSections(auditor, registrationId);
  const report = assembleReport({ registrationId, organisationId: flow.organisationId, sections });
  const written = await writeSubjectAccessReport(report, REPORTS, TEST_BSNS);
  for (const section of report.sections)
    say(
      `  ${section.service.padEnd(23)} ${section.categories.map((c) => `${c.category} ${c.records.length}`).join(', ')}`,
    );
  say(
    `  → reports/demo/${path.basename(written.json)} and .pdf (no BSN: identity-validation names the hash's key id and dates only)`,
  );
  say();
}

async function bsnLeakScan(): Promise<void> {
  say("-- 10. privacy check: the test BSNs anywhere outside identity-validation's memory?");
  const databases = [
    'divit_registration',
    'divit_consent',
    'divit_identity_validation',
    'divit_income_retrieval',
    'divit_billing_reconciliation',
    'divit_retention_cleanup',
  ];
  const clients: Client[] = [];
  const scannable = [];
  for (const name of databases) {
    const client = new Client({
      host: process.env.PGHOST ?? '127.0.0.1',
      port: Number(process.env.PGPORT ?? 5432),
      user: 'postgres',
      database: name,
    });
    await client.connect();
    clients.push(client);
    scannable.push({
      name,
      query: async (sql: string, params?: unknown[]) =>
        (await client.query(sql, params)).rows as Record<string, unknown>[],
    });
  }
  const kafka = createKafka({ brokers: BROKERS, clientId: 'demo-leak-scan' });
  const topics = Object.values(topicCatalogue).map((t) => `${PREFIX}${t.name}`);
  const records = await readTopicRecords(kafka, topics);
  const logDir = path.join(STATE, 'logs');
  const logs = readdirSync(logDir)
    .filter((f) =>
      /^(registration|consent|identity-validation|income-retrieval|billing-reconciliation|retention-cleanup)\.log$/.test(
        f,
      ),
    )
    .map((f) => ({ name: f, text: readFileSync(path.join(logDir, f), 'utf8') }));
  const hits = await scanForBsnLeaks({
    databases: scannable,
    topics: records,
    logs: logs.map((l) => l.text),
    bsns: TEST_BSNS,
  });
  for (const c of clients) await c.end();
  say(
    `scanned ${databases.length} databases (every table and text/json/bytea/number column), ${records.length} records on ${topics.length} topics (keys, values, headers) and ${logs.length} service logs for ${TEST_BSNS.length} test BSNs in plain digits and encodings → ${hits.length} hits`,
  );
  if (hits.length > 0) {
    for (const h of hits.slice(0, 20)) say(`  LEAK ${JSON.stringify(h)}`);
    throw new Error(`${hits.length} BSN leak(s) found`);
  }
  say();
}

async function main(): Promise<void> {
  say('== DIV-it platform demonstration: the four DIV-it processes, decisions, retention and the invoice ==');
  say(people.description);
  platformOperator = clientsFor(await people.tokenFor('platform', ['platform-operator']));
  const allocatorSystem = await subscribe('demo-allocator', [
    Topics.incomeRetrievalDecisions,
    Topics.consentConsents,
    Topics.identityValidationOutcomes,
  ]);
  const financeSystem = await subscribe('demo-finance', [Topics.billingReconciliationSettlements]);
  const usageMeter = await subscribe('demo-logius-meter', [Topics.identityValidationUsage]);
  say(
    "an allocator's system and a finance system subscribed with the published reader schemas (docs/asyncapi.yaml)",
  );
  say();
  const { kade, oost, woonnet } = await registerOrganisations();
  const texts = await publishConsentTexts(woonnet.organisationId);
  const flow: Flow = { organisationId: woonnet.organisationId, texts };
  const ids = await registrationProcesses(flow);
  const { annaAllocation } = await allocationProcesses(flow, ids, kade.organisationId, oost.organisationId);

  say(
    "-- what the allocator's system received on the decisions topic (conclusions only: no income, names or BSNs)",
  );
  const decisions = await eventually(
    () =>
      Promise.resolve(
        allocatorSystem.seen.filter(
          (e) =>
            e.topic === Topics.incomeRetrievalDecisions && e.value.organisationId === woonnet.organisationId,
        ),
      ),
    { description: 'three decisions', until: (d) => d.length >= 3, timeoutMs: 30_000, intervalMs: 200 },
  );
  for (const e of decisions)
    say(
      `  ${shortId(e.value.allocationId)} ${txt(e.value.outcome).padEnd(26)} ${txt(e.value.alternativeRouteReason ?? '').padEnd(16)} passend ${txt(e.value.passendCategory ?? '-')}  fields: ${Object.keys(e.value).join(',')}`,
    );
  const failures = allocatorSystem.seen.filter(
    (e) => e.type.endsWith('IdentityValidationFailed') || e.type.endsWith('ConsentRefused'),
  );
  say(
    `  and ${failures.length} failure outcomes (U-codes) on the consent and identity-validation topics: ${[...new Set(failures.map((e) => txt(e.value.failure ?? 'U1_NO_CONSENT')))].join(', ')}`,
  );
  say();

  await withdrawalAndRetention(flow, ids, annaAllocation);
  await billing(
    flow,
    usageMeter.seen,
    { kade: kade.organisationId, oost: oost.organisationId },
    financeSystem.seen,
  );
  await Promise.all([allocatorSystem.stop(), financeSystem.stop(), usageMeter.stop()]);
  await guaranteeFundYear(woonnet.organisationId, { kade: kade.organisationId, oost: oost.organisationId });
  await subjectAccessRequest(flow, ids.anna);
  await conformanceReport(flow);
  await bsnLeakScan();
  people.close();
  say('demo: done');
}

/** The conformance report of the allocator for this year (issue 16 item 9), as its auditor reads it. */
async function conformanceReport(flow: Flow): Promise<void> {
  say('-- 9. the conformance report (DIV-it 1.2.2, ten points), as the auditor of WoonNet Regio');
  const auditor = clientsFor(await people.tokenFor(flow.organisationId, ['auditor']));
  const year = new Date().getUTCFullYear();
  const report = await collectConformanceReport(auditor, {
    organisationId: flow.organisationId,
    from: `${year}-01-01`,
    to: `${year + 1}-01-01`,
  });
  writeReport('conformance-report.json', `${JSON.stringify(report, null, 2)}\n`);
  writeReport('conformance-report.pdf', await renderConformancePdf(report));
  for (const p of report.points)
    say(`  ${String(p.point).padStart(2)}. ${p.status.padEnd(22)} ${p.evidence[0] ?? p.notes[0] ?? ''}`);
  const attention = report.points.filter((p) => p.status === 'ATTENTION');
  for (const p of attention) say(`  point ${p.point} needs attention: ${p.notes.join('; ')}`);
  say('  written to reports/demo/conformance-report.json and .pdf');
  say();
}

main().catch((error: unknown) => {
  process.stderr.write(
    `demo failed: ${error instanceof Error ? (error.stack ?? error.message) : txt(error)}\n`,
  );
  process.exit(1);
});
