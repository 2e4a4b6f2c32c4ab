import { DataSource } from 'typeorm';
import { DirectPublisher, EventConsumer, readDeadLetters } from '../../src';
import { appliedCounts, createRig, eventually, PingV1Event, TestRig } from './support';

/**
 * A service shut down (SIGTERM) while a consumer is retrying a message: the fault tier saw the data source
 * closed under the consumer, the retries fail with "Driver not Connected", and the good event was
 * dead-lettered and committed past, so it was never applied. A stopping consumer must neither dead-letter
 * nor commit; the next owner of the partition applies the event once.
 */
describe('a consumer stopped in the middle of its retries', () => {
  let rig: TestRig;

  beforeEach(async () => {
    rig = await createRig('shutdown', 1);
  });

  afterEach(async () => {
    await rig.close();
  });

  function consumer(dataSource: DataSource, groupId: string, failFirst: { left: number; seen?: () => void }) {
    return new EventConsumer({
      kafka: rig.kafka,
      serde: rig.serde,
      topics: rig.topics,
      dataSource,
      groupId,
      descriptors: [PingV1Event] as const,
      deadLetterTopic: 'testDlq',
      retry: { attempts: 3, initialDelayMs: 400, maxDelayMs: 400 },
      handle: async (event, em) => {
        if (failFirst.left > 0) {
          failFirst.left--;
          failFirst.seen?.();
          throw new Error('a passing handler failure');
        }
        await em.query(`INSERT INTO applied (event_id, n) VALUES ($1, $2)`, [event.id, event.value.n]);
      },
    });
  }

  it('neither dead-letters nor commits the message; the next consumer of the group applies it once', async () => {
    const group = `${rig.prefix}shutdown`;
    // The first process: its own data source, closed during shutdown like @nestjs/typeorm closes it.
    const firstDataSource = new DataSource(rig.db.options);
    await firstDataSource.initialize();
    let firstFailure!: () => void;
    const failing = new Promise<void>((resolve) => (firstFailure = resolve));
    const first = consumer(firstDataSource, group, { left: 1, seen: () => firstFailure() });
    await first.start();

    const publisher = new DirectPublisher(rig.kafka, rig.serde, rig.topics, '/test');
    await publisher.start();
    const [id] = await publisher.publish(PingV1Event, [{ key: 'k', value: { n: 7, group: 'shutdown' } }]);
    await publisher.stop();

    // The handler failed once and the consumer is waiting to retry: shut the process down now, closing the
    // data source while the consumer is still stopping (the order that lost an event).
    await failing;
    const stopping = first.stop();
    await firstDataSource.destroy();
    await stopping;

    expect(await readDeadLetters(rig.kafka, rig.topics.name('testDlq'))).toHaveLength(0);
    expect(await appliedCounts(rig.dataSource)).toEqual({ total: 0, uniq: 0 });

    // A new process of the same group gets the partition from the last commit, which is before the message.
    const second = consumer(rig.dataSource, group, { left: 0 });
    await second.start();
    try {
      await eventually(
        () => appliedCounts(rig.dataSource),
        (c) => c.total === 1,
      );
      const rows = await rig.dataSource.query<{ event_id: string }[]>(`SELECT event_id FROM applied`);
      expect(rows).toEqual([{ event_id: id }]);
      expect(await readDeadLetters(rig.kafka, rig.topics.name('testDlq'))).toHaveLength(0);
    } finally {
      await second.stop();
    }
  });
});
