import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import * as avro from 'avsc';
import { MessagingError } from './errors';
import { frame, unframe } from './wire-format';
import { subjectFor } from './topic-names';

/** What the messaging layer needs from a generated event descriptor (see @divit/contracts). */
export interface EventDescriptorLike<TType extends string = string, TValue = unknown> {
  readonly type: TType;
  readonly topic: string;
  readonly schema: unknown;
  readonly __value?: TValue;
}

export interface AvroSerdeOptions {
  registryUrl: string;
  /** Register unknown schemas on first use. Off in production: a deploy step registers schemas. */
  autoRegister: boolean;
  /**
   * Longest wait for one registry HTTP request (default 20 s; a busy Apicurio with thousands of test subjects
   * was seen taking over 10 s for a lookup). The registry client sets none, so a registry
   * that accepts a connection and never answers would stall a consumer's partition without any error.
   */
  requestTimeoutMs?: number;
  /**
   * Attempts of a lookup or registration whose request timed out (default 3), each on a new connection.
   * These requests are idempotent. In CI, Apicurio once left single requests unanswered for 60 s while it
   * answered others; a fresh attempt does not wait for a stuck request.
   */
  requestAttempts?: number;
  /**
   * Longest wait for the FIRST attempt of a request (default 5 s, at most `requestTimeoutMs`); later attempts wait
   * `requestTimeoutMs`. A response Apicurio logged but the client never received (seen in CI: the registry's access
   * log shows the answer, the client waits out its timeout) then costs 5 s instead of 20, while a registry that is
   * merely slow still gets the full wait on the next attempt.
   */
  firstAttemptTimeoutMs?: number;
}

type RegistryMiddleware = NonNullable<ConstructorParameters<typeof SchemaRegistry>[0]['middlewares']>[number];

/** Gives every registry request a timeout unless it has one (a timed-out request fails and is retried). */
function requestTimeout(ms: number): RegistryMiddleware {
  return () => ({
    async prepareRequest(next) {
      const request = await next();
      return request.timeout() ? request : request.enhance({ timeout: ms });
    },
  });
}

/**
 * One registration at a time per process. Apicurio's SQL storage serialises every write on one sequences row
 * anyway (apicurio-registry#9847), so parallel registrations (a service auto-registering its ~30 schemas at
 * start, as tests do) gain nothing and only stack lock waits inside the registry.
 */
class OneAtATime {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
const registrations = new OneAtATime();

export interface DecodedValue {
  /** Avro full name of the writer schema, i.e. the event type. */
  type: string;
  schemaId: number;
  /** Read with the consumer's own reader schema, or undefined if the consumer has no reader for this type. */
  value: unknown;
}

/**
 * Avro (de)serialisation in the Confluent wire format against a Confluent-API schema registry.
 * Bodies are encoded locally (so a bad event fails inside the writer's transaction, before the outbox);
 * the schema id is looked up (and cached) when the record is framed for Kafka.
 * Consumers decode with their own reader schema resolved against the writer schema from the registry.
 */
export class AvroSerde {
  readonly registry: SchemaRegistry;
  private readonly types = new WeakMap<EventDescriptorLike, avro.Type>();
  private readonly fingerprints = new WeakMap<EventDescriptorLike, string>();
  private readonly schemaJsons = new WeakMap<EventDescriptorLike, string>();
  /** Lookups and registrations by `subject#fingerprint`: in flight or done (a failed one is removed). */
  private readonly ids = new Map<string, Promise<number>>();
  /** The same ids once known, for callers that frame many records without awaiting (the relay). */
  private readonly knownIds = new Map<string, number>();
  private readonly writers = new Map<number, Promise<avro.Type>>();
  private readonly resolvers = new WeakMap<avro.Type, Map<number, avro.Resolver>>();

  /** The same registry with the shorter first-attempt timeout. */
  private readonly firstAttemptRegistry: SchemaRegistry;

  constructor(private readonly options: AvroSerdeOptions) {
    const timeout = options.requestTimeoutMs ?? 20_000;
    this.registry = new SchemaRegistry({
      host: options.registryUrl,
      retry: { retries: 2 },
      middlewares: [requestTimeout(timeout)],
    });
    this.firstAttemptRegistry = new SchemaRegistry({
      host: options.registryUrl,
      retry: { retries: 2 },
      middlewares: [requestTimeout(Math.min(options.firstAttemptTimeoutMs ?? 5_000, timeout))],
    });
  }

  typeOf(descriptor: EventDescriptorLike): avro.Type {
    let type = this.types.get(descriptor);
    if (!type) {
      type = avro.Type.forSchema(descriptor.schema as avro.Schema);
      this.types.set(descriptor, type);
    }
    return type;
  }

  /** SHA-256 fingerprint (hex) of the descriptor's canonical schema (computed once per descriptor). */
  fingerprint(descriptor: EventDescriptorLike): string {
    let fingerprint = this.fingerprints.get(descriptor);
    if (!fingerprint) {
      fingerprint = this.typeOf(descriptor).fingerprint('sha256').toString('hex');
      this.fingerprints.set(descriptor, fingerprint);
    }
    return fingerprint;
  }

  /** Validates and encodes the Avro body; the error names the invalid paths (never the values). */
  encodeBody<V>(descriptor: EventDescriptorLike<string, V>, value: V): Buffer {
    const type = this.typeOf(descriptor);
    const invalid: string[] = [];
    if (!type.isValid(value, { errorHook: (path) => invalid.push(path.join('.') || '(root)') })) {
      throw new MessagingError('INVALID_EVENT', `${descriptor.type} is invalid at: ${invalid.join(', ')}`);
    }
    return type.toBuffer(value);
  }

  /** The descriptor's schema as JSON (serialised once per descriptor). */
  schemaJson(descriptor: EventDescriptorLike): string {
    let json = this.schemaJsons.get(descriptor);
    if (json === undefined) {
      json = JSON.stringify(descriptor.schema);
      this.schemaJsons.set(descriptor, json);
    }
    return json;
  }

  /** Schema id for (topic, event type), registering it first when auto-registration is on. */
  schemaId(topicName: string, descriptor: EventDescriptorLike): Promise<number> {
    return this.schemaIdFor(topicName, descriptor.type, this.fingerprint(descriptor), () =>
      this.schemaJson(descriptor),
    );
  }

  /**
   * Schema id for an exact writer schema (as stored with outbox rows), cached by subject and fingerprint.
   * `schemaJson` may be a function: it is only called when the id is not cached yet.
   */
  schemaIdFor(
    topicName: string,
    eventType: string,
    fingerprint: string,
    schemaJson: string | (() => string),
  ): Promise<number> {
    // Keyed by subject and schema: two versions of one event type have different ids.
    const cacheKey = schemaCacheKey(topicName, eventType, fingerprint);
    let id = this.ids.get(cacheKey);
    if (!id) {
      const subject = subjectFor(topicName, eventType);
      const json = typeof schemaJson === 'string' ? schemaJson : schemaJson();
      id = this.lookupOrRegister(subject, json).then(
        (resolved) => {
          this.knownIds.set(cacheKey, resolved);
          return resolved;
        },
        (error: unknown) => {
          this.ids.delete(cacheKey);
          throw error;
        },
      );
      this.ids.set(cacheKey, id);
    }
    return id;
  }

  /** The schema id if an earlier {@link schemaIdFor} already resolved it; never asks the registry. */
  knownSchemaId(topicName: string, eventType: string, fingerprint: string): number | undefined {
    return this.knownIds.get(schemaCacheKey(topicName, eventType, fingerprint));
  }

  private async lookupOrRegister(subject: string, schemaJson: string): Promise<number> {
    const schema = { type: SchemaType.AVRO, schema: schemaJson } as const;
    try {
      return await this.attempts((registry) => registry.getRegistryIdBySchema(subject, schema));
    } catch (error) {
      if (!this.options.autoRegister || !isNotFound(error)) throw error;
      const { id } = await registrations.run(() =>
        this.attempts((registry) =>
          registry.register(schema, { subject, compatibility: COMPATIBILITY.FULL_TRANSITIVE }),
        ),
      );
      return id;
    }
  }

  /**
   * Runs an idempotent registry request again (up to `requestAttempts`) when it timed out: the first attempt with the
   * shorter first-attempt timeout, the others with the full one.
   */
  private async attempts<T>(request: (registry: SchemaRegistry) => Promise<T>): Promise<T> {
    const attempts = Math.max(1, this.options.requestAttempts ?? 3);
    for (let attempt = 1; ; attempt++) {
      try {
        return await request(attempt === 1 ? this.firstAttemptRegistry : this.registry);
      } catch (error) {
        if (attempt >= attempts || !isTimeout(error)) throw error;
      }
    }
  }

  async encode<V>(topicName: string, descriptor: EventDescriptorLike<string, V>, value: V): Promise<Buffer> {
    const body = this.encodeBody(descriptor, value);
    const known = this.knownSchemaId(topicName, descriptor.type, this.fingerprint(descriptor));
    return frame(known ?? (await this.schemaId(topicName, descriptor)), body);
  }

  async decode(raw: Buffer | null, readers: ReadonlyMap<string, EventDescriptorLike>): Promise<DecodedValue> {
    const { schemaId, body } = unframe(raw);
    const writer = await this.writerType(schemaId);
    const type = writer.name ?? '(anonymous)';
    const reader = readers.get(type);
    if (!reader) return { type, schemaId, value: undefined };
    const readerType = this.typeOf(reader);
    let byWriter = this.resolvers.get(readerType);
    if (!byWriter) {
      byWriter = new Map();
      this.resolvers.set(readerType, byWriter);
    }
    let resolver = byWriter.get(schemaId);
    try {
      if (!resolver) {
        resolver = readerType.createResolver(writer);
        byWriter.set(schemaId, resolver);
      }
      return { type, schemaId, value: readerType.fromBuffer(body, resolver) };
    } catch (error) {
      throw new MessagingError(
        'UNREADABLE_WITH_READER_SCHEMA',
        `cannot read ${type} (schema id ${schemaId}) with this consumer's reader schema: ${(error as Error).message}`,
      );
    }
  }

  private writerType(schemaId: number): Promise<avro.Type> {
    let writer = this.writers.get(schemaId);
    if (!writer) {
      writer = this.attempts((registry) => registry.getSchema(schemaId)).then(
        (schema) => avro.Type.forSchema((schema as unknown as avro.Type).schema()),
        (error: unknown) => {
          this.writers.delete(schemaId);
          if (isNotFound(error)) {
            throw new MessagingError(
              'UNKNOWN_SCHEMA_ID',
              `schema id ${schemaId} is not known to the registry`,
            );
          }
          throw new MessagingError(
            'SCHEMA_REGISTRY_UNAVAILABLE',
            `schema registry lookup of id ${schemaId} failed: ${(error as Error).message}`,
          );
        },
      );
      this.writers.set(schemaId, writer);
    }
    return writer;
  }
}

/** Cache key of a schema id: topic and event type (the subject) and fingerprint; `|` occurs in none of them. */
function schemaCacheKey(topicName: string, eventType: string, fingerprint: string): string {
  return `${topicName}|${eventType}|${fingerprint}`;
}

/** The registry client's timeout (mappersmith reports it as status 400 "Timeout (<ms>ms)"). */
function isTimeout(error: unknown): boolean {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' && /\bTimeout \(\d+ms\)/.test(message);
}

function isNotFound(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { status?: unknown; message?: unknown };
  return (
    e.status === 404 ||
    (typeof e.message === 'string' &&
      /not found|does not match any schema|40401|40402|40403/i.test(e.message))
  );
}
