import type { Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { ConsumerLagMetrics, createKafka, createTopicsReady } from '../../src';
import { KAFKA_BROKERS } from './support';

/** Sockets to Kafka opened since `before` that still keep the process alive. */
function openKafkaSockets(before: Set<unknown>): Socket[] {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  return handles.filter(
    (h): h is Socket =>
      !before.has(h) && h?.constructor?.name === 'Socket' && (h as Socket).remotePort === 9092,
  );
}

/**
 * The consumer-lag gauge's admin client (one per service, connected on the first /metrics scrape) against the real
 * broker: stopping it while a scrape is under way, or scraping after it stopped, must leave no connection behind.
 * Before the fix, stop() disconnected the admin while the scrape still used it, and kafkajs reconnected it for the
 * scrape's next request: a socket to Kafka nobody closed (ADR 0023's intermittent leaked admin socket).
 */
describe('ConsumerLagMetrics on the real broker', () => {
  const prefix = `it-lag-${randomBytes(3).toString('hex')}-`;
  const kafka = createKafka({ brokers: KAFKA_BROKERS, clientId: prefix });
  const topic = `${prefix}events`;
  const groups = () => [{ groupId: `${prefix}group`, topics: [topic] }];
  const scrape = (lag: ConsumerLagMetrics) =>
    (lag as unknown as { sample: { get(): Promise<unknown> } }).sample.get();

  beforeAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await createTopicsReady(admin, [{ topic, numPartitions: 3 }]);
    await admin.disconnect();
  });
  afterAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('reads the lag, and stop() closes its connection', async () => {
    const before = new Set((process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles());
    const lag = new ConsumerLagMetrics(kafka, groups, 0);
    const samples = (await scrape(lag)) as { topic: string }[];
    expect(samples.map((s) => s.topic)).toEqual([topic, topic, topic]);
    await lag.stop();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(openKafkaSockets(before)).toEqual([]);
  });

  it.each([0, 1, 2, 3, 5, 8])(
    'stop() %i event-loop turns into a scrape waits for it and leaves no socket open',
    async (turns) => {
      const before = new Set((process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles());
      const lag = new ConsumerLagMetrics(kafka, groups, 0);
      const scraping = scrape(lag).then(
        () => 'sampled',
        () => 'failed',
      );
      for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
      await lag.stop();
      expect(['sampled', 'failed']).toContain(await scraping);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(openKafkaSockets(before)).toEqual([]);
    },
  );

  it('a scrape after stop() opens no connection', async () => {
    const before = new Set((process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles());
    const lag = new ConsumerLagMetrics(kafka, groups, 0);
    await lag.stop();
    await expect(scrape(lag)).rejects.toThrow(/stopped/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(openKafkaSockets(before)).toEqual([]);
  });
});
