// Hand-written types that the generated code (./generated) builds on. No runtime dependencies:
// @divit/contracts is data and types only (no Nest, no kafkajs, no avsc).
import type { TopicKey } from './generated/topics';

/** A JSON value as it appears in an Avro schema document (defaults, doc strings, custom attributes). */
export type JsonValue =
  string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * An Avro schema in its JSON form (Avro 1.11 specification): a type name, a union (array) or a
 * complex type object. Pass it to `avro.Type.forSchema(schema as avro.Schema, ...)` at runtime.
 */
export type AvroSchema = string | readonly AvroSchema[] | AvroComplexSchema;

export interface AvroComplexSchema {
  readonly type: AvroSchema;
  readonly [attribute: string]: AvroSchema | JsonValue | readonly AvroField[] | undefined;
}

export interface AvroField {
  readonly name: string;
  readonly type: AvroSchema;
  readonly doc?: string;
  readonly default?: JsonValue;
  readonly aliases?: readonly string[];
  readonly order?: 'ascending' | 'descending' | 'ignore';
}

/** The top-level schema of an event: always a named record. */
export interface AvroRecordSchema extends AvroComplexSchema {
  readonly type: 'record';
  readonly name: string;
  readonly namespace: string;
  readonly doc: string;
  readonly fields: readonly AvroField[];
}

/**
 * One event type: its Avro full name (also the CloudEvents `ce_type`), the catalogue key of the topic
 * that carries it, and its schema (the writer schema producers register, the reader schema consumers
 * decode with). `__value` is a phantom: it is never set and only carries the value type.
 */
export interface EventDescriptor<TType extends string = string, TValue = unknown> {
  readonly type: TType;
  readonly topic: TopicKey;
  readonly schema: AvroRecordSchema;
  readonly __value?: TValue;
}

/** The value type of an event descriptor: `ValueOf<typeof OrganisationRegisteredEvent>`. */
export type ValueOf<D> = D extends EventDescriptor<string, infer V> ? V : never;

/** The `{ type, value }` message an event descriptor describes (what a typed handler receives). */
export type MessageOf<D> = D extends EventDescriptor<infer T, infer V> ? { type: T; value: V } : never;

export type TopicKind = 'event' | 'dead-letter';

/** Schema-registry compatibility levels (Confluent API). Event topics use FULL_TRANSITIVE. */
export type CompatibilityLevel =
  'BACKWARD' | 'BACKWARD_TRANSITIVE' | 'FORWARD' | 'FORWARD_TRANSITIVE' | 'FULL' | 'FULL_TRANSITIVE' | 'NONE';

/**
 * How much personal data the topic's messages hold.
 * - none: no data about natural persons.
 * - pseudonymous: only pseudonymous ids / codes (still personal data under the GDPR, but no names, BSN, incomes).
 * - direct: directly identifying or sensitive data; only allowed with a bounded retention of at most 7 days.
 */
export type PersonalDataClass = 'none' | 'pseudonymous' | 'direct';

export type CleanupPolicy = 'delete' | 'compact';

/** One entry of schemas/catalogue.yaml. */
export interface TopicDefinition {
  /** camelCase identifier used in code (the key of `Topics`). */
  readonly key: string;
  /** Kafka topic name without any environment prefix. */
  readonly name: string;
  readonly kind: TopicKind;
  /** The service that produces to the topic (for a dead-letter topic: the consuming service it belongs to). */
  readonly owner: string;
  readonly description: string;
  /** What the Kafka message key is. */
  readonly messageKey: string;
  /** Avro full names of the event types the topic carries (empty for dead-letter topics). */
  readonly eventTypes: readonly string[];
  /** Registry compatibility of the topic's subjects; null for dead-letter topics (no schemas of their own). */
  readonly compatibility: CompatibilityLevel | null;
  /** `retention.ms`; -1 means infinite. */
  readonly retentionMs: number;
  readonly partitions: number;
  readonly cleanupPolicy: CleanupPolicy;
  readonly personalData: PersonalDataClass;
  /** Services that consume the topic (documentation; each has its own dead-letter topic). */
  readonly consumers: readonly string[];
}
