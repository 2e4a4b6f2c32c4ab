import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AvroSerde, EventDescriptorLike } from '../avro-serde';
import { cloudEventHeaders, currentTraceHeaders } from '../headers';
import { TopicNames } from '../topic-names';

export const OUTBOX_CHANNEL = 'divit_outbox';
const ROWS_PER_INSERT = 1000;

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
    if (events.length === 0) return ids;
    const fingerprint = this.serde.fingerprint(descriptor);
    // In the same transaction as the rows that need it (idempotent; cheap when it already exists).
    await em.query(
      `INSERT INTO outbox_schemas (fingerprint, event_type, schema) VALUES ($1, $2, $3) ON CONFLICT (fingerprint) DO NOTHING`,
      [fingerprint, descriptor.type, this.serde.schemaJson(descriptor)],
    );
    for (let i = 0; i < events.length; i += ROWS_PER_INSERT) {
      ids.push(...(await this.insert(em, descriptor, events.slice(i, i + ROWS_PER_INSERT))));
    }
    if (ids.length > 0) {
      // Delivered on commit only; wakes the relay without polling delay.
      await em.query(`SELECT pg_notify($1, '')`, [OUTBOX_CHANNEL]);
    }
    return ids;
  }

  private async insert<V>(
    em: EntityManager,
    descriptor: EventDescriptorLike<string, V>,
    events: readonly OutgoingEvent<V>[],
  ): Promise<string[]> {
    const topic = this.topics.name(descriptor.topic);
    const fingerprint = this.serde.fingerprint(descriptor);
    const trace = currentTraceHeaders();
    const ids: string[] = [];
    const params: unknown[] = [];
    const rows: string[] = [];
    for (const event of events) {
      const id = event.id ?? randomUUID();
      ids.push(id);
      const headers = {
        ...cloudEventHeaders({
          id,
          type: descriptor.type,
          source: this.source,
          time: event.time ?? new Date(),
          ...(event.subject ? { subject: event.subject } : {}),
        }),
        ...trace,
      };
      const n = params.length;
      rows.push(`($${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}, $${n + 5}, $${n + 6}, $${n + 7})`);
      params.push(
        id,
        topic,
        event.key,
        descriptor.type,
        fingerprint,
        this.serde.encodeBody(descriptor, event.value),
        JSON.stringify(headers),
      );
    }
    await em.query(
      `INSERT INTO outbox_messages (id, topic, message_key, event_type, schema_fingerprint, payload, headers) VALUES ${rows.join(', ')}`,
      params,
    );
    return ids;
  }
}
