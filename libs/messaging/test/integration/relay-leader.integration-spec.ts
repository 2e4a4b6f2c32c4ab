import { Client } from 'pg';
import {
  EventDescriptorLike,
  OUTBOX_LEADER_APPLICATION_NAME,
  OUTBOX_RELAY_LOCK_ID,
  OutboxRelay,
  OutboxWriter,
} from '../../src';
import { createRig, eventually, PingV1, PingV1Event, TestRig } from './support';

/**
 * The relay leader (ADR 0037): one relay per database holds the session-level relay lock and publishes; the
 * others wait. The leader reads the next batch and deletes the previous one while a send is in flight.
 */
describe('outbox relay leader', () => {
  let rig: TestRig;
  const running: OutboxRelay[] = [];
  const clients: Client[] = [];

  beforeAll(async () => {
    rig = await createRig('leader', 1);
  });

  afterAll(async () => {
    for (const r of running.splice(0)) await r.stop();
    for (const c of clients.splice(0)) await c.end().catch(() => undefined);
    await rig.close();
  });

  const relay = (): OutboxRelay => {
    const r = new OutboxRelay({
      dataSource: rig.dataSource,
      kafka: rig.kafka,
      serde: rig.serde,
      batchSize: 100,
      pollIntervalMs: 500,
    });
    running.push(r);
    return r;
  };

  const session = async (): Promise<Client> => {
    const c = new Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: rig.db.name });
    c.on('error', () => undefined);
    await c.connect();
    clients.push(c);
    return c;
  };

  let next = 0;
  /** Writes `count` events (n = next, next + 1, ...) on one key, `perTx` per transaction. */
  const write = async (count: number, perTx = 100): Promise<void> => {
    const writer = new OutboxWriter(rig.serde, rig.topics, '/test');
    for (let i = 0; i < count; i += perTx) {
      const values = Array.from({ length: Math.min(perTx, count - i) }, () => ({
        key: 'one-key',
        value: { n: next++, group: 'leader' },
      }));
      await rig.dataSource.transaction((em) => writer.addMany(em, PingV1Event, values));
    }
  };

  /** Every n on the topic, in topic order (duplicates from re-sends included). */
  const topicValues = async (): Promise<number[]> => {
    const topic = rig.topics.name('testEvents');
    const admin = rig.kafka.admin();
    await admin.connect();
    const [offsets] = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    const high = Number(offsets?.high ?? 0);
    const consumer = rig.kafka.consumer({ groupId: `${rig.prefix}reader-${Date.now()}` });
    const readers = new Map<string, EventDescriptorLike>([[PingV1Event.type, PingV1Event]]);
    const out: number[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const done = new Promise<void>((resolve) => {
      if (high === 0) resolve();
      void consumer.run({
        eachMessage: async ({ message }) => {
          const decoded = await rig.serde.decode(message.value, readers);
          out.push((decoded.value as PingV1).n);
          if (Number(message.offset) + 1 >= high) resolve();
        },
      });
    });
    await done;
    await consumer.disconnect();
    return out;
  };

  /** The first time each n appears is in increasing order, and every n below `count` appears. */
  const expectInOrderOnce = (values: number[], count: number): void => {
    const first: number[] = [];
    const seen = new Set<number>();
    for (const v of values) {
      if (seen.has(v)) continue;
      seen.add(v);
      first.push(v);
    }
    expect(first).toEqual(Array.from({ length: count }, (_, i) => i));
  };

  it('one of two relays leads; the other takes over when the leader’s session ends; order on the key holds', async () => {
    const a = relay();
    const b = relay();
    await a.start();
    await eventually(
      () => Promise.resolve(a.state()),
      (s) => s.status === 'running' && s.leading,
      10_000,
    );
    await b.start();
    await write(2000);
    await eventually(
      () => Promise.resolve(a.published + b.published),
      (n) => n >= 2000,
      60_000,
    );
    // The follower never published: only the lock holder reads the table.
    expect(b.published).toBe(0);
    expect(b.state()).toMatchObject({ status: 'running', leading: false });
    const [{ count: left } = { count: -1 }] = await rig.dataSource.query<{ count: number }[]>(
      `SELECT count(*)::int AS count FROM outbox_messages`,
    );
    expect(left).toBe(0);

    // PostgreSQL ends the leader's session (failover, a killed backend): B leads within its poll interval.
    const admin = await session();
    const endedAt = Date.now();
    await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`,
      [OUTBOX_LEADER_APPLICATION_NAME],
    );
    await eventually(
      () => Promise.resolve(b.state()),
      (s) => s.status === 'running' && s.leading,
      15_000,
    );
    process.stdout.write(
      `relay leader fail-over: the follower led ${Date.now() - endedAt} ms after the leader's session ended (poll interval 500 ms)\n`,
    );
    await write(500, 50);
    await eventually(
      () => Promise.resolve(a.published + b.published),
      (n) => n >= 2500,
      60_000,
    );
    expect(b.published).toBeGreaterThan(0);
    expect(a.state()).toMatchObject({ status: 'running', leading: false });
    expectInOrderOnce(await topicValues(), 2500);
  });

  it('a session holding the relay lock keeps every relay from leading until it lets go', async () => {
    for (const r of running.splice(0)) await r.stop();
    const holder = await session();
    const held = await holder.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
      OUTBOX_RELAY_LOCK_ID,
    ]);
    expect(held.rows[0]?.locked).toBe(true);
    const c = relay();
    await c.start();
    const before = next;
    await write(300);
    // Three poll intervals: the relay tried and did not lead, nothing left the table.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(c.published).toBe(0);
    expect(c.state()).toMatchObject({ status: 'running', leading: false });
    const [{ count } = { count: -1 }] = await rig.dataSource.query<{ count: number }[]>(
      `SELECT count(*)::int AS count FROM outbox_messages`,
    );
    expect(count).toBe(300);

    await holder.query('SELECT pg_advisory_unlock($1)', [OUTBOX_RELAY_LOCK_ID]);
    await eventually(
      () => Promise.resolve(c.published),
      (n) => n === next - before,
      30_000,
    );
    expectInOrderOnce(await topicValues(), next);
  });
});
