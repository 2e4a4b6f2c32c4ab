import { OutboxRelay, OutboxWriter } from '../../src';
import { createRig, eventually, PingV1Event, TestRig, topicRecordCount } from './support';

/** Server processes of this test's database that are listening on the outbox channel. */
async function listenBackends(rig: TestRig): Promise<number[]> {
  const rows = await rig.dataSource.query<{ pid: number }[]>(
    `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND query ILIKE 'LISTEN %' ORDER BY pid`,
    [rig.db.name],
  );
  return rows.map((r) => r.pid);
}

describe('outbox relay LISTEN connection', () => {
  let rig: TestRig;
  const running: { stop(): Promise<void> }[] = [];

  beforeAll(async () => {
    rig = await createRig('listen', 1);
  });

  afterAll(async () => {
    for (const r of running.splice(0)) await r.stop();
    await rig.close();
  });

  it('re-opens LISTEN after PostgreSQL terminated its connection, so new events are relayed at once again', async () => {
    // Polling every 30 s: within the few seconds allowed below only a notification can wake the relay.
    const relay = new OutboxRelay({
      dataSource: rig.dataSource,
      kafka: rig.kafka,
      serde: rig.serde,
      pollIntervalMs: 30_000,
    });
    running.push(relay);
    await relay.start();
    const writer = new OutboxWriter(rig.serde, rig.topics, '/test');
    const topic = rig.topics.name('testEvents');
    const write = (n: number) =>
      rig.dataSource.transaction((em) => writer.add(em, PingV1Event, { key: 'k', value: { n, group: 'g' } }));

    // Before: a notification gets an event through promptly. (Counted by the relay: delivery is at least once, so
    // the topic may hold a re-sent copy after a failed batch, ADR 0004.)
    await write(1);
    await eventually(
      () => Promise.resolve(relay.published),
      (n) => n === 1,
      5_000,
    );

    // PostgreSQL ends the listening session, as in a restart or failover.
    const [before] = await eventually(
      () => listenBackends(rig),
      (pids) => pids.length === 1,
    );
    await rig.dataSource.query(`SELECT pg_terminate_backend($1)`, [before]);
    const after = await eventually(
      () => listenBackends(rig),
      (pids) => pids.length === 1 && pids[0] !== before,
      10_000,
    );
    expect(after[0]).not.toBe(before);
    expect(relay.state()).toMatchObject({ status: 'running', listening: true });

    // After: the next event is relayed by notification again, long before the next poll.
    await write(2);
    await eventually(
      () => Promise.resolve(relay.published),
      (n) => n === 2,
      5_000,
    );
    expect(await topicRecordCount(rig.kafka, topic)).toBeGreaterThanOrEqual(2);
  });
});
