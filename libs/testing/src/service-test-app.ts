import { randomBytes } from 'node:crypto';
import { DynamicModule, INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Consumer, Kafka } from 'kafkajs';
import type { DataSourceOptions } from 'typeorm';
import { eventDescriptors, ServiceName, topicCatalogue, TopicKey } from '@divit/contracts';
import {
  AvroSerde,
  createKafka,
  createTopicsReady,
  DirectPublisher,
  EventDescriptorLike,
  headersToStrings,
  OutgoingEvent,
  TopicNames,
} from '@divit/messaging';
import { createLogger, JsonNestLogger, startMetrics } from '@divit/observability';
import { createTestDatabase, TestDatabase } from '@divit/persistence';
import {
  configureHttpApp,
  HTTP_APP_OPTIONS,
  HTTP_APP_SETTINGS,
  HttpAppSettings,
  LocalTokenIssuer,
  MessagingRuntime,
  PLATFORM_ORGANISATION_ID,
  Role,
} from '@divit/service-kit';
import { serviceClient, type ServiceClient, type ServiceName as ApiServiceName } from '@divit/api-clients';
import { eventually } from './eventually';
import { stackEnvironment } from './config/stack-environment';

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
  /** The raw body (for CSV, PDF as latin1 text, HTML). */
  text: string;
  headers: Headers;
}

/** The platform settings every service config has (see platformConfigShape in @divit/config). */
interface BaseConfig {
  KAFKA_BROKERS: string[];
  SCHEMA_REGISTRY_URL: string;
}

export interface ServiceTestAppOptions<C extends BaseConfig> {
  /** The service under test: its owned event topics are observed. */
  service: ServiceName;
  /** The service's config loader, given environment-style overrides. */
  loadConfig: (env: Record<string, string>) => C;
  dataSourceOptions: (config: C) => DataSourceOptions;
  appModule: (config: C) => DynamicModule;
  /** Extra environment overrides (e.g. simulator settings). */
  env?: Record<string, string>;
  /** Extra topics to observe besides the service's own event topics. */
  observe?: TopicKey[];
  /** Topic prefix; default `it-<service>-<random>-`. */
  prefix?: string;
}

/**
 * A service booted through its AppModule against a fresh database (built by the real migrations) and
 * per-run prefixed topics on the real broker and registry, plus a consumer that decodes everything the
 * service publishes, as another service would, and a publisher that plays the other services.
 */
export class ServiceTestApp<C extends BaseConfig> {
  readonly issuer = new LocalTokenIssuer();
  readonly received: ReceivedEvent[] = [];
  /** Copies of an already received event (same CloudEvents id) the observer skipped. */
  redelivered = 0;
  /** Records on the observed topics that are not Confluent-framed Avro (poison records on a dead-letter topic). */
  undecodable = 0;
  readonly prefix: string;
  app!: INestApplication;
  db!: TestDatabase;
  config!: C;
  topics!: TopicNames;
  serde!: AvroSerde;
  private base = '';
  private kafka!: Kafka;
  private consumer: Consumer | undefined;
  private publisher: DirectPublisher | undefined;
  private createdTopics: string[] = [];
  private readonly logger = createLogger('ServiceTestApp');

  constructor(private readonly options: ServiceTestAppOptions<C>) {
    this.prefix = options.prefix ?? `it-${short(options.service)}-${randomBytes(3).toString('hex')}-`;
  }

  async start(): Promise<this> {
    const { service, loadConfig } = this.options;
    const env = {
      KAFKA_TOPIC_PREFIX: this.prefix,
      SCHEMA_AUTO_REGISTER: 'true',
      ...stackEnvironment(),
      ...(this.options.env ?? {}),
    };
    const seed = loadConfig(env);
    this.db = await createTestDatabase({
      prefix: service.replace(/-/g, '_'),
      options: this.options.dataSourceOptions(seed),
    });
    this.config = loadConfig({
      ...env,
      ...this.localKeys(env),
      DB_NAME: this.db.name,
      DB_USER: 'postgres',
    });
    this.kafka = createKafka({ brokers: this.config.KAFKA_BROKERS, clientId: this.prefix });
    this.topics = new TopicNames(topicCatalogue, this.prefix);
    const admin = this.kafka.admin();
    await admin.connect();
    const wanted = Object.values(topicCatalogue).map((t) => ({
      topic: this.topics.name(t.key),
      numPartitions: t.partitions,
    }));
    // Deleted again by stop(): only the topics this app created (a shared prefix's topics stay).
    this.createdTopics = await createTopicsReady(admin, wanted);
    await admin.disconnect();

    await this.bootApp();

    const observed = new Set<TopicKey>(this.options.observe ?? []);
    for (const t of Object.values(topicCatalogue))
      if (t.owner === service && t.kind === 'event') observed.add(t.key as TopicKey);
    const byName = new Map([...observed].map((key) => [this.topics.name(key), key]));
    const readers = new Map(eventDescriptors.map((d) => [d.type as string, d]));
    this.serde = new AvroSerde({ registryUrl: this.config.SCHEMA_REGISTRY_URL, autoRegister: true });
    this.consumer = this.kafka.consumer({ groupId: `${this.prefix}observer`, maxWaitTimeInMs: 200 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [...byName.keys()], fromBeginning: true });
    // Like every consumer of the platform, the observer is idempotent by event id: delivery is at least once (a
    // relay batch that failed part-way is sent again whole, ADR 0004), so a topic may hold a re-sent copy.
    const seen = new Set<string>();
    await this.consumer.run({
      eachMessage: async ({ topic, message }) => {
        const headers = headersToStrings(message.headers);
        const id = headers.ce_id;
        if (id !== undefined) {
          if (seen.has(id)) {
            this.redelivered++;
            return;
          }
          seen.add(id);
        }
        let decoded;
        try {
          decoded = await this.serde.decode(message.value, readers);
        } catch {
          // An observed dead-letter topic carries whatever was dead-lettered: a poison record's original bytes or a
          // reference to it is not Avro. Counted, not retried (a throw here crash-looped the observer).
          this.undecodable++;
          return;
        }
        this.received.push({
          topic: byName.get(topic) as TopicKey,
          type: decoded.type,
          key: message.key?.toString() ?? null,
          headers,
          value: decoded.value as Record<string, unknown>,
        });
      },
    });
    return this;
  }

  /**
   * Closes the app (as a crash or a rolling restart would end the process) and boots a new one on the
   * same database and topics, e.g. to show that state survives a restart. `env` overrides settings for
   * the new app.
   */
  async restart(env: Record<string, string> = {}): Promise<void> {
    await this.app.close();
    if (Object.keys(env).length > 0)
      this.config = this.options.loadConfig({
        KAFKA_TOPIC_PREFIX: this.prefix,
        SCHEMA_AUTO_REGISTER: 'true',
        ...stackEnvironment(),
        ...(this.options.env ?? {}),
        ...this.localKeys({ ...(this.options.env ?? {}), ...env }),
        DB_NAME: this.db.name,
        DB_USER: 'postgres',
        ...env,
      });
    await this.bootApp();
  }

  /**
   * The test issuer's public keys (AUTH_JWKS), unless the overrides name a remote key source: a test against a real
   * identity provider (e.g. Keycloak, AUTH_OIDC_DISCOVERY=true) verifies that provider's tokens only.
   */
  private localKeys(env: Record<string, string>): Record<string, string> {
    if ('AUTH_OIDC_DISCOVERY' in env || 'AUTH_JWKS_URL' in env) return {};
    return { AUTH_JWKS: JSON.stringify(this.issuer.jwks) };
  }

  private async bootApp(): Promise<void> {
    // The process's metrics, as main.ts starts them (GET /metrics reads them); once per test file.
    startMetrics(this.options.service);
    const moduleRef = await Test.createTestingModule({
      imports: [this.options.appModule(this.config)],
    }).compile();
    // The production HTTP stack (limits, headers, rate limit, text checks), exactly as bootstrapService.
    this.app = moduleRef.createNestApplication({ logger: new JsonNestLogger(), ...HTTP_APP_OPTIONS });
    configureHttpApp(this.app, this.app.get<HttpAppSettings>(HTTP_APP_SETTINGS, { strict: false }));
    await this.app.listen(0, '127.0.0.1');
    this.base = await this.app.getUrl();
    // Listening does not wait for the consumers' group joins; tests start once they have joined.
    await this.app.get(MessagingRuntime, { strict: false }).consumersJoined();
  }

  async stop(): Promise<void> {
    await this.publisher?.stop();
    await this.consumer?.disconnect();
    await this.app?.close();
    await this.db?.drop();
    const created = this.createdTopics.length > 0;
    await this.deleteCreatedTopics();
    if (created) await this.deleteSubjects();
  }

  /**
   * The schema subjects of this app's topics (`<prefix><topic>-<record>`): a registry holding thousands of test
   * subjects answered lookups in over 10 s late in a test run. Soft delete, then permanent (Confluent API).
   */
  private async deleteSubjects(): Promise<void> {
    const base = this.config.SCHEMA_REGISTRY_URL.replace(/\/$/, '');
    try {
      const res = await fetch(`${base}/subjects`, { signal: AbortSignal.timeout(30_000) });
      const subjects = ((await res.json()) as string[]).filter((s) => s.startsWith(this.prefix));
      for (const subject of subjects) {
        const url = `${base}/subjects/${encodeURIComponent(subject)}`;
        await fetch(url, { method: 'DELETE', signal: AbortSignal.timeout(30_000) });
        await fetch(`${url}?permanent=true`, { method: 'DELETE', signal: AbortSignal.timeout(30_000) });
      }
    } catch (error) {
      // Never fail a test run over cleanup.
      this.logger.warn('could not delete the test subjects', { error: String(error) });
    }
  }

  /**
   * The harness deletes what it creates: a long-lived development broker otherwise collects thousands of test
   * partitions (a 512 MiB broker ran out of heap at ~17,000 of them).
   */
  private async deleteCreatedTopics(): Promise<void> {
    const topics = this.createdTopics.splice(0);
    if (topics.length === 0) return;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await admin.deleteTopics({ topics, timeout: 30_000 });
    } catch (error) {
      // Never fail a test run over cleanup; the next broker purge removes what is left.
      this.logger.warn('could not delete the test topics', { count: topics.length, error: String(error) });
    } finally {
      await admin.disconnect();
    }
  }

  /** Base URL of the running app, for requests that must not carry the default headers. */
  get url(): string {
    return this.base;
  }

  token(organisationId: string, roles: Role[], subject = `test-${roles.join('-')}`): string {
    return this.issuer.sign({ subject, organisationId, roles });
  }

  /** The platform operator (role `platform-operator`, not a tenant): the only caller allowed platform-wide things. */
  platformOperator(): string {
    return this.token(PLATFORM_ORGANISATION_ID, ['platform-operator'], 'test-platform-operator');
  }

  /**
   * The service's typed client (libs/api-clients, generated from its OpenAPI document), with a bearer token or
   * none. Name the service as the app was started with it: `app.client('consent', token).GET('/consents/{id}', ...)`.
   */
  client<S extends ApiServiceName>(service: S, token: string | null): ServiceClient<S> {
    if (service !== this.options.service)
      throw new Error(`this test app runs ${this.options.service}, not ${service}`);
    return serviceClient(service, this.base, token === null ? {} : { token });
  }

  /** A JSON request with a bearer token (or none when `token` is null). */
  async call(method: string, path: string, token: string | null, body?: unknown): Promise<HttpResult> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const buffer = Buffer.from(await res.arrayBuffer());
    const type = res.headers.get('content-type') ?? '';
    const text = type.includes('pdf') ? buffer.toString('latin1') : buffer.toString('utf8');
    let json: Record<string, unknown> = {};
    if (type.includes('json') && text) json = JSON.parse(text) as Record<string, unknown>;
    return { status: res.status, type, json, text, headers: res.headers };
  }

  /** A request whose body is sent as-is (CSV, HTML forms, signed deliveries). */
  async raw(
    method: string,
    path: string,
    init: { headers?: Record<string, string>; body?: string | Buffer } = {},
  ) {
    const res = await fetch(`${this.base}${path}`, { method, headers: init.headers, body: init.body });
    return {
      status: res.status,
      type: res.headers.get('content-type') ?? '',
      body: Buffer.from(await res.arrayBuffer()),
    };
  }

  /** Publishes events as the service that owns their topic would (for events this service consumes). */
  async publish<V>(
    descriptor: EventDescriptorLike<string, V>,
    events: readonly OutgoingEvent<V>[],
  ): Promise<string[]> {
    if (!this.publisher) {
      this.publisher = new DirectPublisher(this.kafka, this.serde, this.topics, `/divit/test/${this.prefix}`);
      await this.publisher.start();
    }
    return this.publisher.publish(descriptor, events);
  }

  async count(table: string): Promise<number> {
    const rows = await this.db.dataSource.query<{ c: number }[]>(`SELECT count(*)::int AS c FROM ${table}`);
    return Number(rows[0]?.c);
  }

  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.db.dataSource.query<T[]>(sql, params);
  }

  /** Polls (no sleeps in assertions) until `n` received events match; throws at the deadline (eventually). */
  async eventsMatching(
    predicate: (event: ReceivedEvent) => boolean,
    n: number,
    timeoutMs = 30_000,
  ): Promise<ReceivedEvent[]> {
    return eventually(() => this.received.filter(predicate), {
      description: `${n} received event(s) matching ${predicate.toString().replace(/\s+/g, ' ').slice(0, 200)}`,
      until: (found) => found.length >= n,
      timeoutMs,
    });
  }
}

/** Field names of a 400 problem document. */
export function fieldsOf(result: HttpResult): string[] {
  return ((result.json.errors as { field: string }[] | undefined) ?? []).map((e) => e.field).sort();
}

function short(service: string): string {
  return service
    .split('-')
    .map((p) => p.slice(0, 3))
    .join('');
}
