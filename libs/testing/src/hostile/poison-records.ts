import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AssignerProtocol, ConfigResourceTypes, Kafka } from 'kafkajs';
import {
  deadLetterTopicFor,
  DataCategory,
  ErasureRequestedEvent,
  OrganisationRegisteredEvent,
  OwningService,
  ServiceName,
  topicCatalogue,
  TopicKey,
} from '@divit/contracts';
import {
  AvroSerde,
  cloudEventHeaders,
  createKafka,
  DeadLetterRecord,
  EventDescriptorLike,
  frame,
  OutgoingEvent,
  readDeadLetters,
  TopicNames,
} from '@divit/messaging';
import { Logger } from '@divit/observability';

/** A valid event for one consumed topic: it follows the poison records on their partition and must be applied. */
export interface PoisonTopicCase<V = unknown> {
  /** A type this service's consumers read from the topic (its `topic` must be the topic being checked). */
  descriptor: EventDescriptorLike<string, V>;
  /** The valid event (its key decides the partition every poison record goes to). */
  event: OutgoingEvent<V>;
  /**
   * Whether the valid event's effect is visible through the service's API or database; polled until true or the
   * deadline. The tier always checks the event's inbox row (written in the handler's own transaction, so it exists
   * exactly when the handler's effect was committed); give a domain probe here where the effect is easy to see.
   */
  applied?: () => Promise<boolean>;
  /**
   * `false` when the topic's consumer keeps no inbox marks (`EventConsumer` `idempotentWithoutInbox`, ADR 0038):
   * the tier then judges the valid event by `applied` alone, which must be given.
   */
  inbox?: false;
}

/** What the check needs of a running service (a ServiceTestApp). */
export interface PoisonTarget {
  prefix: string;
  url: string;
  config: { KAFKA_BROKERS: string[] };
  topics: TopicNames;
  serde: AvroSerde;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface PoisonRecordsOptions {
  service: ServiceName;
  app: PoisonTarget;
  /**
   * One case per catalogue topic this service's consumers subscribe to. The subscriptions are read from the broker
   * (the consumer groups' member metadata), so a topic subscribed without a case, or a case for a topic no group
   * subscribes to, is a finding: a new subscription cannot escape the check.
   */
  topics: Partial<Record<TopicKey, () => Promise<PoisonTopicCase>>>;
  /** How long to wait for the dead letters and the valid event per topic (default 90 s). */
  timeoutMs?: number;
}

export type PoisonKind = 'not-confluent-framed' | 'unknown-schema-id' | 'at-size-limit';

export interface PoisonFinding {
  topic: string;
  group: string;
  poison: PoisonKind | 'valid-record' | 'coverage' | 'readiness';
  detail: string;
}

export interface PoisonResult {
  findings: PoisonFinding[];
  summary: {
    service: ServiceName;
    groups: string[];
    topics: number;
    poisonRecords: number;
    deadLetters: number;
    truncatedDeadLetters: number;
    largestPoisonBytes: number;
    slowestTopicMs: number;
    /**
     * Catalogue drift, reported but not a finding: topics schemas/catalogue.yaml lists this service as a consumer of
     * that no group of it subscribes to, and subscribed topics whose catalogue entry does not list it.
     */
    catalogueOnly: string[];
    notInCatalogue: string[];
  };
}

/** What each poison record must be dead-lettered with. */
const EXPECTED_CODE: Record<PoisonKind, string> = {
  'not-confluent-framed': 'NOT_CONFLUENT_FRAMED',
  'unknown-schema-id': 'UNKNOWN_SCHEMA_ID',
  'at-size-limit': 'NOT_CONFLUENT_FRAMED',
};

/** Kept free below the topic's limit for the record batch header, the record's key and its framing. */
const SIZE_LIMIT_MARGIN = 200;

interface Sent {
  kind: PoisonKind | 'valid-record';
  partition: number;
  offset: string;
  bytes: number;
}

/**
 * The poison-record part of the hostile tier, against one running service: for every topic its consumers subscribe
 * to, three poison records and then a valid one, all with the valid event's key (so on one partition):
 *
 * 1. a value that is not in the Confluent wire format;
 * 2. the valid event's Avro body framed with a schema id the registry does not know;
 * 3. a value just under the topic's `max.message.bytes` (read from the broker), not Confluent-framed, which only
 *    fits the dead-letter topic as a reference (ADR 0013);
 * 4. the valid event.
 *
 * Expected, for every consumer group of the service subscribed to the topic: each poison on the service's
 * dead-letter topic with its error code and a reason (the large one as a truncated reference), the group's committed
 * offset on the partition past the valid record (the partition still flows), the valid event in the service's inbox
 * and its effect visible (`applied`), and afterwards `/health/ready` 200 (no consumer crashed).
 */
export async function checkPoisonRecords(options: PoisonRecordsOptions): Promise<PoisonResult> {
  const { app, service } = options;
  const timeoutMs = options.timeoutMs ?? 90_000;
  const logger = new Logger('poison-records');
  const kafka = createKafka({ brokers: app.config.KAFKA_BROKERS, clientId: `${app.prefix}poison` });
  const findings: PoisonFinding[] = [];
  const summary: PoisonResult['summary'] = {
    service,
    groups: [],
    topics: 0,
    poisonRecords: 0,
    deadLetters: 0,
    truncatedDeadLetters: 0,
    largestPoisonBytes: 0,
    slowestTopicMs: 0,
    catalogueOnly: [],
    notInCatalogue: [],
  };
  const dlqTopic = app.topics.name(deadLetterTopicFor[service]);
  const keyOf = new Map(
    (Object.keys(topicCatalogue) as TopicKey[]).map((key) => [app.topics.name(key), key] as const),
  );

  const subscriptions = await subscribedTopics(kafka, app.prefix);
  summary.groups = [...new Set([...subscriptions.values()].flatMap((groups) => [...groups]))].sort();
  if (subscriptions.size === 0)
    findings.push({
      topic: '-',
      group: '-',
      poison: 'coverage',
      detail: 'no consumer group of the service found',
    });
  for (const topic of subscriptions.keys()) {
    const key = keyOf.get(topic);
    if (key === undefined || !options.topics[key])
      findings.push({
        topic,
        group: [...subscriptions.get(topic)!].join(','),
        poison: 'coverage',
        detail: 'subscribed, but the spec gives no valid event for it',
      });
  }
  for (const [key, topic] of Object.entries(topicCatalogue) as [
    TopicKey,
    (typeof topicCatalogue)[TopicKey],
  ][]) {
    const listed = topic.consumers.includes(service);
    const subscribed = subscriptions.has(app.topics.name(key));
    if (listed && !subscribed) summary.catalogueOnly.push(key);
    if (subscribed && !listed) summary.notInCatalogue.push(key);
  }
  for (const key of Object.keys(options.topics) as TopicKey[])
    if (!subscriptions.has(app.topics.name(key)))
      findings.push({
        topic: app.topics.name(key),
        group: '-',
        poison: 'coverage',
        detail: 'the spec gives a case, but no consumer group of the service subscribes to the topic',
      });

  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const [topic, groups] of subscriptions) {
      const key = keyOf.get(topic);
      const makeCase = key === undefined ? undefined : options.topics[key];
      if (!makeCase) continue;
      const started = Date.now();
      const theCase = await makeCase();
      if (app.topics.name(theCase.descriptor.topic) !== topic) {
        findings.push({
          topic,
          group: '-',
          poison: 'coverage',
          detail: `the case's event type ${theCase.descriptor.type} belongs to another topic`,
        });
        continue;
      }
      if (theCase.inbox === false && !theCase.applied) {
        findings.push({
          topic,
          group: '-',
          poison: 'coverage',
          detail: 'a case whose consumer keeps no inbox marks must say how its effect is seen (applied)',
        });
        continue;
      }
      summary.topics++;
      const limit = await maxMessageBytes(admin, topic);
      const eventKey = theCase.event.key;
      const id = theCase.event.id ?? randomUUID();
      const ce = (eventId: string) =>
        cloudEventHeaders({
          id: eventId,
          type: theCase.descriptor.type,
          source: `/divit/test/poison-records`,
          time: new Date(),
        });
      const large = randomBytes(limit - SIZE_LIMIT_MARGIN - Buffer.byteLength(eventKey ?? ''));
      large[0] = 0x7b; // '{': not the Confluent magic byte
      summary.largestPoisonBytes = Math.max(summary.largestPoisonBytes, large.length);
      const records: { kind: Sent['kind']; value: Buffer; headers?: Record<string, string> }[] = [
        { kind: 'not-confluent-framed', value: Buffer.from('{"poison":"not the Confluent wire format"}') },
        {
          kind: 'unknown-schema-id',
          // The registry hands out small ids; this one is near the top of the 31-bit range.
          value: frame(
            2_000_000_000 + Math.floor(Math.random() * 100_000_000),
            app.serde.encodeBody(theCase.descriptor, theCase.event.value),
          ),
          headers: ce(randomUUID()),
        },
        { kind: 'at-size-limit', value: large },
        {
          kind: 'valid-record',
          value: await app.serde.encode(topic, theCase.descriptor, theCase.event.value),
          headers: ce(id),
        },
      ];
      const sent: Sent[] = [];
      for (const record of records) {
        const [meta] = await producer.send({
          topic,
          acks: -1,
          messages: [
            { key: eventKey, value: record.value, ...(record.headers ? { headers: record.headers } : {}) },
          ],
        });
        sent.push({
          kind: record.kind,
          partition: meta!.partition,
          offset: String(meta!.baseOffset ?? meta!.offset),
          bytes: record.value.length,
        });
      }
      summary.poisonRecords += 3;
      const partition = sent[0]!.partition;
      if (sent.some((s) => s.partition !== partition)) {
        findings.push({
          topic,
          group: '-',
          poison: 'coverage',
          detail: `the records did not land on one partition: ${sent.map((s) => s.partition).join(',')}`,
        });
        continue;
      }
      const valid = sent[3]!;
      const poisons = sent.slice(0, 3);

      // Poll until everything is there or the deadline passes, then judge the last state seen.
      const deadline = Date.now() + timeoutMs;
      let state = await observe();
      while (!complete(state) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 500));
        state = await observe();
      }
      summary.slowestTopicMs = Math.max(summary.slowestTopicMs, Date.now() - started);

      for (const group of groups) {
        for (const poison of poisons) {
          const kind = poison.kind as PoisonKind;
          const letter = state.letters.find(
            (l) =>
              l.consumerGroup === group &&
              l.originalTopic === topic &&
              l.originalPartition === partition &&
              l.originalOffset === poison.offset,
          );
          const finding = (detail: string) => findings.push({ topic, group, poison: kind, detail });
          if (!letter) {
            finding(`not on the dead-letter topic ${dlqTopic} within ${timeoutMs} ms`);
            continue;
          }
          summary.deadLetters++;
          if (letter.errorCode !== EXPECTED_CODE[kind])
            finding(`dead-lettered as ${letter.errorCode}, expected ${EXPECTED_CODE[kind]}`);
          if (letter.reason.trim() === '') finding('dead-lettered without a reason');
          if (kind === 'at-size-limit') {
            if (letter.truncated) summary.truncatedDeadLetters++;
            if (!letter.truncated || letter.reference?.valueBytes !== poison.bytes)
              finding(`not dead-lettered as a reference to the ${poison.bytes}-byte original`);
          }
        }
        const committed = state.committed.get(group);
        if (committed === undefined || BigInt(committed) <= BigInt(valid.offset))
          findings.push({
            topic,
            group,
            poison: 'valid-record',
            detail: `partition ${partition} stopped: committed offset ${committed ?? 'none'}, valid record at ${valid.offset}`,
          });
      }
      if (!state.inbox)
        findings.push({
          topic,
          group: [...groups].join(','),
          poison: 'valid-record',
          detail: `the valid ${theCase.descriptor.type} after the poison records is not in the inbox`,
        });
      if (!state.applied)
        findings.push({
          topic,
          group: [...groups].join(','),
          poison: 'valid-record',
          detail: `the effect of the valid ${theCase.descriptor.type} after the poison records is not visible`,
        });

      async function observe() {
        const letters: DeadLetterRecord[] = await readDeadLetters(kafka, dlqTopic).catch(() => []);
        const committed = new Map<string, string>();
        for (const group of groups) {
          const offsets = await admin.fetchOffsets({ groupId: group, topics: [topic] });
          const offset = offsets[0]?.partitions.find((p) => p.partition === partition)?.offset;
          if (offset !== undefined && offset !== '-1') committed.set(group, offset);
        }
        const inbox =
          theCase.inbox === false ||
          (await app.query(`SELECT 1 FROM inbox_messages WHERE event_id = $1`, [id])).length > 0;
        const applied = inbox && (theCase.applied ? await theCase.applied() : true);
        return { letters, committed, inbox, applied };
      }

      function complete(s: Awaited<ReturnType<typeof observe>>): boolean {
        if (!s.inbox || !s.applied) return false;
        for (const group of groups) {
          const committed = s.committed.get(group);
          if (committed === undefined || BigInt(committed) <= BigInt(valid.offset)) return false;
          for (const poison of poisons)
            if (
              !s.letters.some(
                (l) =>
                  l.consumerGroup === group &&
                  l.originalTopic === topic &&
                  l.originalPartition === partition &&
                  l.originalOffset === poison.offset,
              )
            )
              return false;
        }
        return true;
      }
    }

    // No consumer crashed or stopped over it: the service is still ready.
    const ready = await fetch(`${app.url}/health/ready`, { signal: AbortSignal.timeout(10_000) });
    if (ready.status !== 200)
      findings.push({
        topic: '-',
        group: '-',
        poison: 'readiness',
        detail: `GET /health/ready answered ${ready.status}: ${await ready.text()}`,
      });
  } finally {
    await producer.disconnect();
    await admin.disconnect();
  }

  const dir = resolve(__dirname, '../../../../reports/hostile');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    resolve(dir, `${service}.poison-records.json`),
    JSON.stringify({ ...summary, findings }, null, 2),
  );
  logger.info('poison-record tier summary', { ...summary, findings: findings.length });
  return { findings, summary };
}

/**
 * The topics the service's consumer groups subscribe to, read from the broker: every group whose id starts with
 * the test app's prefix (MessagingRuntime namespaces group ids with it), except the harness's own observer.
 */
/**
 * The platform's revocation listener (libs/service-kit/src/auth/revocation.ts, docs/adr/0030): one group per process,
 * reading the compacted access-suspensions topic into memory without committing; a record it cannot read is logged
 * and skipped (it names no token), so it has no inbox or dead-letter path to check here. Its handling of unreadable
 * records is covered by its own tests.
 */
const REVOCATION_LISTENER_GROUP =
  /-access-suspensions-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function subscribedTopics(kafka: Kafka, prefix: string): Promise<Map<string, Set<string>>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.listGroups();
    const ids = groups
      .map((g) => g.groupId)
      .filter(
        (id) => id.startsWith(prefix) && id !== `${prefix}observer` && !REVOCATION_LISTENER_GROUP.test(id),
      );
    const byTopic = new Map<string, Set<string>>();
    if (ids.length === 0) return byTopic;
    const described = await admin.describeGroups(ids);
    for (const group of described.groups)
      for (const member of group.members) {
        const metadata = AssignerProtocol.MemberMetadata.decode(member.memberMetadata);
        for (const topic of metadata?.topics ?? []) {
          const set = byTopic.get(topic) ?? new Set<string>();
          set.add(group.groupId);
          byTopic.set(topic, set);
        }
      }
    return byTopic;
  } finally {
    await admin.disconnect();
  }
}

/** The topic's effective `max.message.bytes` (its own setting or the broker's default). */
async function maxMessageBytes(admin: ReturnType<Kafka['admin']>, topic: string): Promise<number> {
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['max.message.bytes'] }],
  });
  const value = Number(
    described.resources[0]?.configEntries.find((e) => e.configName === 'max.message.bytes')?.configValue,
  );
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`max.message.bytes of ${topic} unreadable`);
  return value;
}

/**
 * A valid erasure command for `target` (retention-cleanup's erasure-commands topic), scoped to a fresh id (an
 * organisation with a cut-off in 2000 by default, or a registration) that has no data, so it erases nothing; applied when the service's
 * acknowledgement `ackType` with its id was published.
 */
export function erasureCommandCase(
  app: { received: readonly { type: string; value: Record<string, unknown> }[] },
  target: OwningService,
  category: DataCategory,
  ackType: string,
  scope: 'cutOff' | 'registrationId' = 'cutOff',
): () => Promise<PoisonTopicCase> {
  return () => {
    const erasureId = randomUUID();
    // A scope every owner accepts (ADR 0019 refuses an organisation alone): a registration, or an organisation
    // with a cut-off; both name nothing that exists, so the acknowledgement counts 0 rows.
    const byCutOff = scope === 'cutOff';
    return Promise.resolve({
      descriptor: ErasureRequestedEvent,
      event: {
        key: erasureId,
        value: {
          erasureId,
          targetService: target,
          category,
          reason: 'RETENTION_PERIOD_ENDED',
          policyId: `default/${category}`,
          organisationId: byCutOff ? randomUUID() : null,
          registrationId: byCutOff ? null : randomUUID(),
          subjectId: null,
          allocationId: null,
          recordedBefore: byCutOff ? Date.parse('2000-01-01T00:00:00Z') : null,
          requestedAt: Date.now(),
        },
      },
      applied: () =>
        Promise.resolve(app.received.some((e) => e.type === ackType && e.value.erasureId === erasureId)),
    });
  };
}

/**
 * A valid OrganisationRegistered (registration's organisations topic) for services that keep routes and
 * memberships for the coordinator scope (ADR 0018): a fresh route B allocator, applied when the service has
 * stored its route in `organisation_routes`.
 */
export function organisationRegisteredCase(app: {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}): () => Promise<PoisonTopicCase> {
  return () => {
    const organisationId = randomUUID();
    return Promise.resolve({
      descriptor: OrganisationRegisteredEvent,
      event: {
        key: organisationId,
        value: {
          organisationId,
          name: `Poison tier allocator ${organisationId.slice(0, 8)}`,
          kind: 'HOUSING_ALLOCATOR',
          route: 'B',
          coordinatorOrganisationId: organisationId,
          effectiveFrom: '2024-01-01',
          occurredAt: Date.now(),
        },
      },
      applied: async () =>
        (await app.query(`SELECT 1 FROM organisation_routes WHERE organisation_id = $1`, [organisationId]))
          .length > 0,
    });
  };
}
