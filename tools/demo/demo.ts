/**
 * Demonstration run by `npm start` against the running services. It plays two parts:
 *  - an admin registering organisations over HTTP (routes A, B, C and refusals);
 *  - an allocator's own system consuming the organisation topic with its reader schema from
 *    @divit/contracts, the way outside integrators do (docs/asyncapi.yaml).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { OrganisationRegistered, OrganisationRegisteredEvent, Topics } from '@divit/contracts';
import { AvroSerde, createKafka, headersToStrings } from '@divit/messaging';
import { configureLogging } from '@divit/observability';
import { LocalTokenIssuer } from '@divit/service-kit';

const REGISTRATION = process.env.REGISTRATION_URL ?? 'http://127.0.0.1:3001';
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const REGISTRY = process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7';
const PREFIX = process.env.KAFKA_TOPIC_PREFIX ?? '';
const run = randomBytes(2).toString('hex');
// The local development issuer created by tools/services.sh (tools/dev-auth.js); not an identity provider.
const devKey = readFileSync(
  path.join(process.env.DIVIT_STACK_STATE ?? path.resolve(__dirname, '../../.stack'), 'dev-auth/private.pem'),
  'utf8',
);
const adminToken = new LocalTokenIssuer('divit-local', 'divit', devKey).sign({
  subject: 'demo-admin',
  organisationId: 'platform',
  roles: ['admin'],
});

configureLogging({ service: 'demo', level: 'warn' });
const say = (line = '') => process.stdout.write(`${line}\n`);
const no = {
  isHousingCorporation: false,
  allocatesAlone: false,
  isCollaborationWithAllocationAim: false,
  collaborationIsLegalAllocator: false,
};

async function post(path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${REGISTRATION}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function main(): Promise<void> {
  say('== DIV-it platform demonstration: organisations and their route ==');
  const topic = `${PREFIX}${Topics.registrationOrganisations}`;
  const kafka = createKafka({ brokers: BROKERS, clientId: 'demo-allocator' });
  const serde = new AvroSerde({ registryUrl: REGISTRY, autoRegister: false });
  const seen: { value: OrganisationRegistered; headers: Record<string, string> }[] = [];
  const consumer = kafka.consumer({ groupId: `demo-allocator-${run}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: false });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.run({
    eachMessage: async ({ message }) => {
      const decoded = await serde.decode(
        message.value,
        new Map([[OrganisationRegisteredEvent.type, OrganisationRegisteredEvent]]),
      );
      if (decoded.value)
        seen.push({
          value: decoded.value as OrganisationRegistered,
          headers: headersToStrings(message.headers),
        });
    },
  });
  await joined;
  say(
    `allocator system subscribed to ${topic} (Avro, Confluent wire format, reader schema from @divit/contracts)`,
  );
  say();

  const cases: [string, unknown][] = [
    [
      'corporation allocating alone',
      {
        name: `Woonstichting De Kade ${run}`,
        answers: { ...no, isHousingCorporation: true, allocatesAlone: true },
        effectiveFrom: '2026-01-01',
      },
    ],
    [
      'legal woonruimteverdeler',
      {
        name: `WoonNet Regio ${run}`,
        answers: { ...no, isCollaborationWithAllocationAim: true, collaborationIsLegalAllocator: true },
        effectiveFrom: '2026-01-01',
      },
    ],
  ];
  const results: Record<string, unknown>[] = [];
  for (const [label, body] of cases) {
    const res = await post('/organisations', body);
    results.push(res.json);
    say(
      `POST /organisations (${label}) → ${res.status} route ${String(res.json.route)} kind ${String(res.json.kind)}`,
    );
  }
  const pip = results[0]?.organisationId;
  const c = await post('/organisations', {
    name: `Samenwerkende Corporaties Noord ${run}`,
    answers: { ...no, isCollaborationWithAllocationAim: true },
    coordinatorOrganisationId: pip,
    effectiveFrom: '2026-02-01',
  });
  say(
    `POST /organisations (collaboration without legal personality, PIP = De Kade) → ${c.status} route ${String(c.json.route)}`,
  );
  const refused = await post('/organisations', {
    name: `Makelaardij Zuid ${run}`,
    answers: no,
    effectiveFrom: '2026-01-01',
  });
  say(
    `POST /organisations (a broker, not a corporation) → ${refused.status} ${String(refused.json.code)}: ${String(refused.json.detail)}`,
  );
  const invalid = await post('/organisations', {
    name: 'X',
    answers: no,
    effectiveFrom: '2026-02-30',
    bsn: '123',
  });
  say(
    `POST /organisations (invalid input) → ${invalid.status} ${String(invalid.json.code)}: ${(
      invalid.json.errors as { field: string; message: string }[]
    )
      .map((e) => `${e.field} (${e.message})`)
      .join(', ')}`,
  );
  say();

  const deadline = Date.now() + 30_000;
  while (seen.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  say(`allocator system received ${seen.length} event(s) (refused and invalid requests produced none):`);
  for (const { value, headers } of seen) {
    say(`  ${headers.ce_type} id=${headers.ce_id} key=${value.organisationId}`);
    say(
      `    route ${value.route}, kind ${value.kind}, coordinator ${value.coordinatorOrganisationId ?? '-'}, from ${value.effectiveFrom}; traceparent ${headers.traceparent ?? '-'}`,
    );
  }
  await consumer.disconnect();
  if (seen.length !== 3) {
    say('demo: FAILED — expected 3 events');
    process.exit(1);
  }
  say();
  say('demo: done');
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
