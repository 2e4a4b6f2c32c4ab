import { randomBytes } from 'node:crypto';
import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Consumer, Kafka } from 'kafkajs';
import { eventDescriptors, topicCatalogue, TopicKey } from '@divit/contracts';
import { AvroSerde, createKafka, headersToStrings, TopicNames } from '@divit/messaging';
import { JsonNestLogger } from '@divit/observability';
import { createTestDatabase, TestDatabase } from '@divit/persistence';
import { LocalTokenIssuer, Role } from '@divit/service-kit';
import { AppModule } from '../../src/app.module';
import { loadRegistrationConfig, RegistrationConfig } from '../../src/config/registration.config';
import { registrationDataSourceOptions } from '../../src/database/data-source';

/** One event as a consumer sees it, decoded with the generated reader schema of its type. */
export interface ReceivedEvent {
  topic: TopicKey;
  type: string;
  key: string | null;
  headers: Record<string, string>;
  value: Record<string, unknown>;
}

export interface HttpResult {
  status: number;
  type: string;
  json: Record<string, unknown>;
}

/**
 * The registration service booted through its AppModule against a fresh database (built by the real
 * migrations) and per-file prefixed topics on the real broker and registry, plus a consumer that decodes
 * everything the service publishes, as another service would.
 */
export class RegistrationTestApp {
  readonly issuer = new LocalTokenIssuer();
  readonly received: ReceivedEvent[] = [];
  app!: INestApplication;
  db!: TestDatabase;
  config!: RegistrationConfig;
  topics!: TopicNames;
  private base = '';
  private kafka!: Kafka;
  private consumer: Consumer | undefined;

  constructor(readonly prefix = `it-reg-${randomBytes(3).toString('hex')}-`) {}

  async start(): Promise<this> {
    const seed = loadRegistrationConfig({ KAFKA_TOPIC_PREFIX: this.prefix, SCHEMA_AUTO_REGISTER: 'true' });
    this.db = await createTestDatabase({
      prefix: 'registration',
      options: registrationDataSourceOptions(seed),
    });
    this.config = loadRegistrationConfig({
      AUTH_JWKS: JSON.stringify(this.issuer.jwks),
      KAFKA_TOPIC_PREFIX: this.prefix,
      SCHEMA_AUTO_REGISTER: 'true',
      DB_NAME: this.db.name,
      DB_USER: 'postgres',
    });
    this.kafka = createKafka({ brokers: this.config.KAFKA_BROKERS, clientId: this.prefix });
    this.topics = new TopicNames(topicCatalogue, this.prefix);
    // Every catalogue topic: the service produces to its own and consumes consent/identity-validation ones.
    const owned = Object.values(topicCatalogue).filter((t) => t.owner === 'registration');
    const admin = this.kafka.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: Object.values(topicCatalogue).map((t) => ({
        topic: this.topics.name(t.key),
        numPartitions: t.partitions,
      })),
    });
    await admin.disconnect();

    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(this.config)] }).compile();
    this.app = moduleRef.createNestApplication({ logger: new JsonNestLogger() });
    await this.app.listen(0, '127.0.0.1');
    this.base = await this.app.getUrl();

    const eventTopics = owned.filter((t) => t.kind === 'event');
    const byName = new Map(eventTopics.map((t) => [this.topics.name(t.key), t.key as TopicKey]));
    const readers = new Map(eventDescriptors.map((d) => [d.type as string, d]));
    const serde = new AvroSerde({ registryUrl: this.config.SCHEMA_REGISTRY_URL, autoRegister: false });
    this.consumer = this.kafka.consumer({ groupId: `${this.prefix}observer`, maxWaitTimeInMs: 200 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [...byName.keys()], fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ topic, message }) => {
        const decoded = await serde.decode(message.value, readers);
        this.received.push({
          topic: byName.get(topic) as TopicKey,
          type: decoded.type,
          key: message.key?.toString() ?? null,
          headers: headersToStrings(message.headers),
          value: decoded.value as Record<string, unknown>,
        });
      },
    });
    return this;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    await this.app?.close();
    await this.db?.drop();
  }

  /** Base URL of the running app, for requests that must not carry the default headers. */
  get url(): string {
    return this.base;
  }

  token(organisationId: string, roles: Role[], subject = `test-${roles.join('-')}`): string {
    return this.issuer.sign({ subject, organisationId, roles });
  }

  async call(method: string, path: string, token: string, body?: unknown): Promise<HttpResult> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return {
      status: res.status,
      type: res.headers.get('content-type') ?? '',
      json: (text ? JSON.parse(text) : {}) as Record<string, unknown>,
    };
  }

  async count(table: string): Promise<number> {
    const rows = await this.db.dataSource.query<{ c: number }[]>(`SELECT count(*)::int AS c FROM ${table}`);
    return Number(rows[0]?.c);
  }

  /** Polls (no sleeps in assertions) until `n` received events match, or the deadline passes. */
  async eventsMatching(
    predicate: (event: ReceivedEvent) => boolean,
    n: number,
    timeoutMs = 30_000,
  ): Promise<ReceivedEvent[]> {
    const deadline = Date.now() + timeoutMs;
    let found = this.received.filter(predicate);
    while (found.length < n && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      found = this.received.filter(predicate);
    }
    return found;
  }
}

/** Field names of a 400 problem document. */
export function fieldsOf(result: HttpResult): string[] {
  return ((result.json.errors as { field: string }[] | undefined) ?? []).map((e) => e.field).sort();
}

export const decisionAnswers = {
  routeA: {
    isHousingCorporation: true,
    allocatesAlone: true,
    isCollaborationWithAllocationAim: false,
    collaborationIsLegalAllocator: false,
  },
  routeB: {
    isHousingCorporation: false,
    allocatesAlone: false,
    isCollaborationWithAllocationAim: true,
    collaborationIsLegalAllocator: true,
  },
  routeC: {
    isHousingCorporation: false,
    allocatesAlone: false,
    isCollaborationWithAllocationAim: true,
    collaborationIsLegalAllocator: false,
  },
} as const;
