import { Client } from 'pg';
import { createTestDatabase, postgresOptions, TestDatabase } from '@divit/persistence';
import {
  AvroSerde,
  cloudEventHeaders,
  messagingEntities,
  messagingMigrations,
  OUTBOX_CHANNEL,
  OutboxWriter,
  TopicNames,
} from '../../src';
import { PingV1, PingV1Event, REGISTRY_URL, testCatalogue } from './support';

/** The writer alone against real PostgreSQL (no broker or registry needed: bodies are encoded locally). */
describe('OutboxWriter.addMany', () => {
  let db: TestDatabase;
  const topics = new TopicNames(testCatalogue, 'it-writer-');
  const serde = new AvroSerde({ registryUrl: REGISTRY_URL, autoRegister: false });
  const writer = new OutboxWriter(serde, topics, '/divit/test');

  beforeAll(async () => {
    db = await createTestDatabase({
      prefix: 'outbox_writer',
      options: postgresOptions({
        host: '127.0.0.1',
        port: 5432,
        database: 'unused',
        username: 'postgres',
        entities: messagingEntities,
        migrations: messagingMigrations,
      }),
    });
  });

  afterAll(async () => {
    await db?.drop();
  });

  beforeEach(async () => {
    await db.dataSource.query(`TRUNCATE outbox_messages, outbox_schemas`);
  });

  interface Row {
    id: string;
    topic: string;
    message_key: string;
    event_type: string;
    schema_fingerprint: string;
    payload: Buffer;
    headers: Record<string, string>;
  }
  const rows = (): Promise<Row[]> =>
    db.dataSource.query<Row[]>(
      `SELECT id, topic, message_key, event_type, schema_fingerprint, payload, headers FROM outbox_messages ORDER BY seq`,
    );

  it('writes rows in the given order with complete CloudEvents headers, the writer schema and one notification on commit', async () => {
    const listener = new Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: db.name });
    await listener.connect();
    const notified: string[] = [];
    listener.on('notification', (n) => notified.push(n.channel));
    await listener.query(`LISTEN ${OUTBOX_CHANNEL}`);
    try {
      const time = new Date('2026-01-02T03:04:05.678Z');
      const explicitId = 'A1B2C3D4-0000-4000-8000-000000000001'; // kept as given in ce_id
      const events = [
        { key: 'k1', value: { n: 1, group: 'a' }, id: explicitId, time, subject: 'org-1' },
        { key: 'k2', value: { n: 2, group: 'b' } },
        { key: 'k1', value: { n: 3, group: 'c' }, time },
      ];
      const before = Date.now();
      const ids = await db.dataSource.transaction((em) => writer.addMany(em, PingV1Event, events));
      expect(ids[0]).toBe(explicitId);
      const written = await rows();
      expect(written.map((r) => r.id)).toEqual(ids.map((id) => id.toLowerCase()));
      const fingerprint = serde.fingerprint(PingV1Event);
      written.forEach((row, i) => {
        const event = events[i]!;
        expect(row).toMatchObject({
          topic: topics.name('testEvents'),
          message_key: event.key,
          event_type: PingV1Event.type,
          schema_fingerprint: fingerprint,
        });
        expect(serde.typeOf(PingV1Event).fromBuffer(row.payload) as PingV1).toEqual(event.value);
        const rowTime = new Date(row.headers.ce_time ?? '');
        if (!event.time) {
          expect(rowTime.getTime()).toBeGreaterThanOrEqual(before);
          expect(rowTime.getTime()).toBeLessThanOrEqual(Date.now());
        }
        expect(row.headers).toEqual(
          cloudEventHeaders({
            id: ids[i]!,
            type: PingV1Event.type,
            source: '/divit/test',
            time: event.time ?? rowTime,
            ...(event.subject ? { subject: event.subject } : {}),
          }),
        );
      });
      const schemas = await db.dataSource.query<{ fingerprint: string; schema: string }[]>(
        `SELECT fingerprint, schema FROM outbox_schemas`,
      );
      expect(schemas).toEqual([{ fingerprint, schema: JSON.stringify(PingV1Event.schema) }]);
      // Notifications are delivered on commit; a query round trip flushes what the server has sent.
      await listener.query('SELECT 1');
      expect(notified).toEqual([OUTBOX_CHANNEL]);
    } finally {
      await listener.end();
    }
  });

  it('keeps the order across statements of a large batch and writes nothing when the transaction rolls back', async () => {
    const events = Array.from({ length: 12_345 }, (_, n) => ({ key: `k${n % 7}`, value: { n, group: 'g' } }));
    const ids = await db.dataSource.transaction((em) => writer.addMany(em, PingV1Event, events));
    const written = await rows();
    expect(written.map((r) => r.id)).toEqual(ids);
    expect(written.map((r) => (serde.typeOf(PingV1Event).fromBuffer(r.payload) as PingV1).n)).toEqual(
      events.map((e) => e.value.n),
    );

    await expect(
      db.dataSource.transaction(async (em) => {
        await writer.addMany(em, PingV1Event, [{ key: 'k', value: { n: -1, group: 'x' } }]);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await rows()).toHaveLength(events.length);
  });

  it('rejects an invalid event before writing anything', async () => {
    await expect(
      db.dataSource.transaction((em) =>
        writer.addMany(em, PingV1Event, [
          { key: 'k', value: { n: 1, group: 'ok' } },
          { key: 'k', value: { n: 'two', group: 'bad' } as unknown as PingV1 },
        ]),
      ),
    ).rejects.toThrow(/invalid at: n/);
    expect(await rows()).toHaveLength(0);
  });
});
