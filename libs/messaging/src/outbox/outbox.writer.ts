import { EntityManager } from 'typeorm';
import { AvroSerde, EventDescriptorLike } from '../avro-serde';
import { AVRO_CONTENT_TYPE, CE, currentTraceHeaders } from '../headers';
import { CLOUDEVENTS_SPEC_VERSION } from '@divit/contracts';
import { TopicNames } from '../topic-names';
import { eventId } from '../event-id';

export const OUTBOX_CHANNEL = 'divit_outbox';
/** Rows per statement: arrays have no parameter limit; this bounds one statement's size (~300 bytes a row). */
const ROWS_PER_INSERT = 10_000;

export interface OutgoingEvent<V> {
  key: string;
  value: V;
  /** Defaults to a new UUID. Pass a deterministic id to make a re-run of the same command idempotent. */
  id?: string;
  time?: Date;
  /** CloudEvents subject (a pseudonymous id), optional. */
  subject?: string;
}

/**
 * Adds events to the transactional outbox inside the caller's transaction: the event exists iff the
 * change it reports was committed. The Avro body is validated and encoded here, so an invalid event
 * aborts the transaction instead of poisoning the relay.
 */
export class OutboxWriter {
  constructor(
    private readonly serde: AvroSerde,
    private readonly topics: TopicNames,
    /** CloudEvents source, e.g. `/divit/registration`. */
    private readonly source: string,
  ) {}

  async add<V>(
    em: EntityManager,
    descriptor: EventDescriptorLike<string, V>,
    event: OutgoingEvent<V>,
  ): Promise<string> {
    const [id] = await this.addMany(em, descriptor, [event]);
    return id as string;
  }

  async addMany<V>(
    em: EntityManager,
    descriptor: EventDescriptorLike<string, V>,
    events: readonly OutgoingEvent<V>[],
  ): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < events.length; i += ROWS_PER_INSERT) {
      ids.push(...(await this.insert(em, descriptor, events.slice(i, i + ROWS_PER_INSERT))));
    }
    return ids;
  }

  /**
   * One statement: the writer schema (idempotent; in the same transaction as the rows that need it), the rows
   * from arrays (`unnest`, in the order given, so `seq` keeps it) and a notification that wakes the relay on
   * commit. Per row only id, key, body, time and subject travel; the headers that are the same for every row
   * (type, source, spec version, content type, trace context) are sent once and merged in PostgreSQL, so the
   * stored `headers` are complete, as every relay version expects.
   */
  private async insert<V>(
    em: EntityManager,
    descriptor: EventDescriptorLike<string, V>,
    events: readonly OutgoingEvent<V>[],
  ): Promise<string[]> {
    if (events.length === 0) return [];
    const n = events.length;
    const ids = new Array<string>(n);
    const keys = new Array<string>(n);
    const payloads = new Array<Buffer>(n);
    const times = new Array<string>(n);
    const subjects = new Array<string | null>(n);
    let now: string | undefined;
    for (let i = 0; i < n; i++) {
      const event = events[i] as OutgoingEvent<V>;
      ids[i] = event.id ?? eventId();
      keys[i] = event.key;
      payloads[i] = this.serde.encodeBody(descriptor, event.value);
      times[i] = event.time ? event.time.toISOString() : (now ??= new Date().toISOString());
      subjects[i] = event.subject ? event.subject : null;
    }
    const common: Record<string, string> = {
      [CE.type]: descriptor.type,
      [CE.source]: this.source,
      [CE.specversion]: CLOUDEVENTS_SPEC_VERSION,
      [CE.contentType]: AVRO_CONTENT_TYPE,
      ...currentTraceHeaders(),
    };
    await em.query(
      `WITH writer_schema AS (
         INSERT INTO outbox_schemas (fingerprint, event_type, schema) VALUES ($1, $2, $3)
         ON CONFLICT (fingerprint) DO NOTHING
       ), inserted AS (
         INSERT INTO outbox_messages (id, topic, message_key, event_type, schema_fingerprint, payload, headers)
         SELECT e.id::uuid, $4, e.message_key, $2, $1, e.payload,
                $5::jsonb || jsonb_build_object($6::text, e.id, $7::text, e.time)
                  || CASE WHEN e.subject IS NULL THEN '{}'::jsonb ELSE jsonb_build_object($8::text, e.subject) END
         FROM unnest($9::text[], $10::text[], $11::bytea[], $12::text[], $13::text[])
              WITH ORDINALITY AS e(id, message_key, payload, time, subject, n)
         ORDER BY e.n
         RETURNING 1
       )
       SELECT pg_notify($14, '') FROM (SELECT count(*) AS c FROM inserted) AS i WHERE i.c > 0`,
      [
        this.serde.fingerprint(descriptor),
        descriptor.type,
        this.serde.schemaJson(descriptor),
        this.topics.name(descriptor.topic),
        JSON.stringify(common),
        CE.id,
        CE.time,
        CE.subject,
        ids,
        keys,
        payloads,
        times,
        subjects,
        OUTBOX_CHANNEL,
      ],
    );
    return ids;
  }
}
