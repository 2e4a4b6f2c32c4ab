/**
 * Demonstration run by `npm start` against the running services. Plays the parties involved:
 *  - a platform admin registering organisations (routes A, B, C, refusals) and a route-B allocator's
 *    members and housing stock;
 *  - the allocator's allocation system registering a home seeker with household and recording an
 *    allocation;
 *  - an auditor reading who accessed the registration;
 *  - an allocator's own system consuming the topics with reader schemas from @divit/contracts, the way
 *    outside integrators do (docs/asyncapi.yaml).
 * Tokens come from the local development issuer (tools/dev-auth.js), not an identity provider.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { eventDescriptors, Topics } from '@divit/contracts';
import { AvroSerde, createKafka, EventDescriptorLike, headersToStrings } from '@divit/messaging';
import { configureLogging } from '@divit/observability';
import { LocalTokenIssuer, Role } from '@divit/service-kit';

const REGISTRATION = process.env.REGISTRATION_URL ?? 'http://127.0.0.1:3001';
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const REGISTRY = process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7';
const PREFIX = process.env.KAFKA_TOPIC_PREFIX ?? '';
const STATE = process.env.DIVIT_STACK_STATE ?? path.resolve(__dirname, '../../.stack');
const run = randomBytes(2).toString('hex');

configureLogging({ service: 'demo', level: 'warn' });
const say = (line = '') => process.stdout.write(`${line}\n`);
const issuer = new LocalTokenIssuer(
  'divit-local',
  'divit',
  readFileSync(path.join(STATE, 'dev-auth/private.pem'), 'utf8'),
);
const tokenFor = (organisationId: string, roles: Role[]) =>
  issuer.sign({ subject: `demo-${roles.join('-')}`, organisationId, roles });
const platformAdmin = tokenFor('platform', ['admin']);

type Json = Record<string, unknown>;
async function call(
  method: string,
  route: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${REGISTRATION}${route}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Json };
}
function expectStatus(label: string, res: { status: number; json: Json }, status: number): Json {
  if (res.status !== status)
    throw new Error(`${label}: expected HTTP ${status}, got ${res.status} ${JSON.stringify(res.json)}`);
  return res.json;
}

const no = {
  isHousingCorporation: false,
  allocatesAlone: false,
  isCollaborationWithAllocationAim: false,
  collaborationIsLegalAllocator: false,
};
const corporation = { ...no, isHousingCorporation: true, allocatesAlone: true };

async function main(): Promise<void> {
  say('== DIV-it platform demonstration: organisations, registrations and allocations ==');
  // The allocator's own system: reads four topics with the published reader schemas.
  const watched = [
    Topics.registrationOrganisations,
    Topics.registrationRegistrations,
    Topics.registrationAllocations,
    Topics.registrationIdentityData,
  ];
  const kafka = createKafka({ brokers: BROKERS, clientId: 'demo-allocator' });
  const serde = new AvroSerde({ registryUrl: REGISTRY, autoRegister: false });
  const readers = new Map<string, EventDescriptorLike>(eventDescriptors.map((d) => [d.type, d]));
  const seen: { topic: string; type: string; key: string; value: Json }[] = [];
  const consumer = kafka.consumer({ groupId: `demo-allocator-${run}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topics: watched.map((t) => `${PREFIX}${t}`), fromBeginning: false });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      const decoded = await serde.decode(message.value, readers);
      seen.push({
        topic,
        type: headersToStrings(message.headers).ce_type ?? decoded.type,
        key: message.key?.toString() ?? '',
        value: decoded.value as Json,
      });
    },
  });
  await joined;
  say(
    `allocator's system subscribed to ${watched.length} topics (Avro, Confluent wire format, reader schemas from @divit/contracts)`,
  );
  say();

  say('-- 1. organisations and their DIV-it route (decision tree)');
  const kade = expectStatus(
    'route A',
    await call('POST', '/organisations', platformAdmin, {
      name: `Woonstichting De Kade ${run}`,
      answers: corporation,
      effectiveFrom: '2026-01-01',
    }),
    201,
  );
  say(`POST /organisations  corporation allocating alone            → 201 route ${String(kade.route)}`);
  const oost = expectStatus(
    'corporation',
    await call('POST', '/organisations', platformAdmin, {
      name: `Woonbron Oost ${run}`,
      answers: corporation,
      effectiveFrom: '2026-01-01',
    }),
    201,
  );
  const woonnet = expectStatus(
    'route B',
    await call('POST', '/organisations', platformAdmin, {
      name: `WoonNet Regio ${run}`,
      answers: { ...no, isCollaborationWithAllocationAim: true, collaborationIsLegalAllocator: true },
      effectiveFrom: '2026-01-01',
    }),
    201,
  );
  say(
    `POST /organisations  legal woonruimteverdeler                → 201 route ${String(woonnet.route)} (coordinates itself)`,
  );
  const noord = expectStatus(
    'route C',
    await call('POST', '/organisations', platformAdmin, {
      name: `Samenwerkende Corporaties Noord ${run}`,
      answers: { ...no, isCollaborationWithAllocationAim: true },
      coordinatorOrganisationId: kade.organisationId,
      effectiveFrom: '2026-02-01',
    }),
    201,
  );
  say(
    `POST /organisations  collaboration without legal personality  → 201 route ${String(noord.route)}, primus inter pares De Kade`,
  );
  const refused = await call('POST', '/organisations', platformAdmin, {
    name: `Makelaardij Zuid ${run}`,
    answers: no,
    effectiveFrom: '2026-01-01',
  });
  say(
    `POST /organisations  a broker, not a corporation              → ${refused.status} ${String(refused.json.code)}: ${String(refused.json.detail)}`,
  );
  const invalid = await call('POST', '/organisations', platformAdmin, {
    name: 'X',
    answers: no,
    effectiveFrom: '2026-02-30',
    bsn: '123',
  });
  say(
    `POST /organisations  invalid input                            → ${invalid.status} ${(invalid.json.errors as { field: string }[]).map((e) => e.field).join(', ')}`,
  );
  const woonnetId = String(woonnet.organisationId);
  for (const member of [kade, oost]) {
    expectStatus(
      'membership',
      await call('POST', `/organisations/${woonnetId}/memberships`, platformAdmin, {
        memberOrganisationId: member.organisationId,
        validFrom: '2026-01-01',
      }),
      201,
    );
  }
  expectStatus(
    'stock',
    await call('POST', `/organisations/${woonnetId}/housing-stock`, platformAdmin, {
      memberOrganisationId: kade.organisationId,
      dwellings: 12400,
      effectiveFrom: '2026-01-01',
    }),
    201,
  );
  expectStatus(
    'stock',
    await call('POST', `/organisations/${woonnetId}/housing-stock`, platformAdmin, {
      memberOrganisationId: oost.organisationId,
      dwellings: 8600,
      effectiveFrom: '2026-01-01',
    }),
    201,
  );
  say(
    'WoonNet Regio: members De Kade and Woonbron Oost from 2026-01-01, housing stock 12,400 and 8,600 dwellings',
  );
  say();

  say('-- 2. a home seeker registers with WoonNet Regio (the allocator is controller until acceptance)');
  const allocationSystem = tokenFor(woonnetId, ['allocation-system']);
  const registration = expectStatus(
    'registration',
    await call('POST', '/registrations', allocationSystem, {
      surnamePrefix: 'de',
      surname: 'Vries',
      birthDate: '1991-04-12',
      genderMarker: 'V',
      postcode: '3011ab',
      houseNumber: 10,
      email: 'seeker@example.org',
      registrationDate: '2021-09-01',
      household: [
        { relation: 'PARTNER', surname: 'Bakker', birthDate: '1989-11-30' },
        { relation: 'CHILD', surname: 'Bakker', birthDate: '2020-05-05' },
      ],
    }),
    201,
  );
  const registrationId = String(registration.registrationId);
  say(
    `POST /registrations → 201 registration ${registrationId} (pseudonymous id), registration date ${String(registration.registrationDate)}, postcode normalised to ${String(registration.postcode)}`,
  );
  const bad = await call('POST', '/registrations', allocationSystem, {
    surname: 'Vries2',
    birthDate: '2999-01-01',
    postcode: '0123 AB',
  });
  say(
    `POST /registrations with bad input → ${bad.status}: ${(bad.json.errors as { field: string; message: string }[]).map((e) => `${e.field} (${e.message})`).join('; ')}`,
  );
  const memberView = await call(
    'GET',
    `/registrations/${registrationId}`,
    tokenFor(String(oost.organisationId), ['member']),
  );
  say(
    `GET /registrations/:id as member corporation Woonbron Oost → ${memberView.status} (another organisation's registration is "not found", never "forbidden")`,
  );
  const coordinatorView = await call(
    'GET',
    `/registrations/${registrationId}?purpose=ALLOCATION`,
    tokenFor(woonnetId, ['coordinator']),
  );
  say(`GET /registrations/:id as WoonNet Regio (purpose ALLOCATION) → ${coordinatorView.status}`);
  say();

  say('-- 3. the allocation system records an allocation (toewijzing) for a dwelling of De Kade');
  const allocation = expectStatus(
    'allocation',
    await call('POST', '/allocations', allocationSystem, {
      registrationId,
      dwellingReference: 'VHE-10234',
      lettingCorporationId: kade.organisationId,
      monthlyRentCents: 72450,
      leaseStartDate: '2026-03-01',
      coResidents: [
        { surname: 'Bakker', birthDate: '1989-11-30' },
        { surname: 'Bakker', birthDate: '2020-05-05' },
      ],
    }),
    201,
  );
  say(
    `POST /allocations → 201 allocation ${String(allocation.allocationId)}: rent EUR 724.50, lease start 2026-03-01, ${(allocation.members as unknown[] | undefined)?.length ?? 3} household members`,
  );
  say();

  say('-- 4. an auditor asks who accessed the registration');
  const log = expectStatus(
    'access log',
    await call('GET', `/registrations/${registrationId}/access-log`, tokenFor(woonnetId, ['auditor'])),
    200,
  ) as unknown as {
    occurredAt: string;
    subjectOrganisationId: string;
    action: string;
    purpose: string;
  }[];
  for (const entry of log)
    say(
      `  ${entry.occurredAt}  ${entry.action.padEnd(22)} ${entry.purpose.padEnd(15)} by organisation ${entry.subjectOrganisationId}`,
    );
  say();

  const expected = 4 + 2 + 2 + 1 + 1 + 1; // 4 organisations, 2 memberships, 2 stock figures, 1 registration, 1 allocation, 1 adult co-resident
  const deadline = Date.now() + 30_000;
  while (seen.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  say(
    `-- 5. what the allocator's system received (${seen.length} events; the refused and invalid requests produced none)`,
  );
  for (const e of seen) {
    const short = e.type.replace('nl.divit.registration.', '');
    const topic = e.topic.replace(PREFIX, '');
    if (topic === Topics.registrationIdentityData) {
      say(
        `  ${topic}  ${short}  member ${String(e.value.memberId)}  [direct personal data: stated surname and birth date, topic retention 1 day]`,
      );
    } else if (short === 'AllocationRecorded') {
      const members = (e.value.members as { role: string; adult: boolean }[])
        .map((m) => `${m.role}${m.adult ? '' : ' (child)'}`)
        .join(', ');
      say(
        `  ${topic}  ${short}  lease ${String(e.value.leaseStartDate)}  members: ${members}  [pseudonymous]`,
      );
    } else {
      const detail = Object.entries(e.value)
        .filter(([k]) => !['occurredAt', 'name'].includes(k))
        .map(([k, v]) => `${k}=${typeof v === 'string' && v.length === 36 ? `${v.slice(0, 8)}…` : String(v)}`)
        .join(' ');
      say(`  ${topic}  ${short}  ${detail}`);
    }
  }
  await consumer.disconnect();
  if (seen.length < expected) {
    say(`demo: FAILED — expected ${expected} events, received ${seen.length}`);
    process.exit(1);
  }
  say();
  say('demo: done');
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
