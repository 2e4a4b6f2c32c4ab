/**
 * Backlog metrics every service with messaging gets without code of its own (MessagingRuntime in
 * @divit/service-kit registers them): the outbox relay's backlog and the consumers' lag. Both are
 * OpenTelemetry observable gauges (meter `@divit/messaging`) sampled when /metrics is scraped, through a
 * short cache, so a burst of scrapes costs one query / one pair of admin requests per `cacheMs`.
 */
import { metrics, ObservableCallback, ObservableGauge } from '@opentelemetry/api';
import type { Admin, Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { createLogger } from '@divit/observability';

export const BACKLOG_METRICS = {
  outboxBacklog: 'divit_messaging_outbox_backlog',
  outboxOldestAge: 'divit_messaging_outbox_oldest_age_seconds',
  consumerLag: 'divit_messaging_consumer_lag',
} as const;

const logger = createLogger('MessagingMetrics');

/** The last value of `load`, refreshed at most every `ttlMs`, with one load in flight at a time. */
export class CachedSample<T> {
  private value: { at: number; sample: T } | undefined;
  private inFlight: Promise<T> | undefined;

  constructor(
    private readonly load: () => Promise<T>,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(): Promise<T> {
    if (this.value && this.now() - this.value.at < this.ttlMs) return Promise.resolve(this.value.sample);
    this.inFlight ??= this.load()
      .then((sample) => {
        this.value = { at: this.now(), sample };
        return sample;
      })
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }

  /** Resolves once the load in flight (if any) has settled, whatever its outcome. */
  async settled(): Promise<void> {
    await this.inFlight?.catch(() => undefined);
  }
}

export interface OutboxSample {
  /** Rows not yet published (the relay deletes a row once Kafka has it). */
  rows: number;
  /** Age of the oldest of them, seconds; 0 when there is none. */
  oldestAgeSeconds: number;
}

/** Gauges for the outbox of one database: backlog (rows) and the oldest unpublished row's age. */
export class OutboxBacklogMetrics {
  private readonly sample: CachedSample<OutboxSample>;
  private gauges: { gauge: ObservableGauge; callback: ObservableCallback }[] = [];

  constructor(dataSource: DataSource, cacheMs = 5_000) {
    this.sample = new CachedSample(async () => {
      const [row] = await dataSource.query<{ rows: number; age: number | null }[]>(
        `SELECT count(*)::int AS rows, extract(epoch FROM now() - min(created_at))::float8 AS age FROM outbox_messages`,
      );
      return { rows: row?.rows ?? 0, oldestAgeSeconds: Math.max(0, row?.age ?? 0) };
    }, cacheMs);
  }

  start(): void {
    if (this.gauges.length) return;
    const meter = metrics.getMeter('@divit/messaging');
    const gauge = (name: string, description: string, unit: string, pick: (s: OutboxSample) => number) => {
      const g = meter.createObservableGauge(name, { description, unit });
      const callback: ObservableCallback = async (result) => {
        try {
          result.observe(pick(await this.sample.get()));
        } catch (error) {
          logger.warn('outbox backlog could not be read for /metrics', { error: String(error) });
        }
      };
      g.addCallback(callback);
      this.gauges.push({ gauge: g, callback });
    };
    gauge(BACKLOG_METRICS.outboxBacklog, 'Outbox rows not yet published to Kafka', '{row}', (s) => s.rows);
    gauge(
      BACKLOG_METRICS.outboxOldestAge,
      'Age of the oldest unpublished outbox row (0 when the outbox is empty)',
      's',
      (s) => s.oldestAgeSeconds,
    );
  }

  stop(): void {
    for (const { gauge, callback } of this.gauges) gauge.removeCallback(callback);
    this.gauges = [];
  }
}

export interface LagSample {
  groupId: string;
  topic: string;
  partition: number;
  lag: number;
}

export interface ConsumerGroupSubscription {
  groupId: string;
  topics: string[];
}

/**
 * Consumer lag per group, topic and partition: the partition's end offset minus the group's committed
 * offset (`admin.fetchTopicOffsets` against `admin.fetchOffsets`); a partition the group never committed on
 * counts from the partition's start. One admin client, connected on the first scrape.
 */
export async function consumerLag(
  admin: Admin,
  groups: readonly ConsumerGroupSubscription[],
): Promise<LagSample[]> {
  const topics = [...new Set(groups.flatMap((g) => g.topics))];
  const ends = new Map<string, Map<number, { high: bigint; low: bigint }>>();
  for (const topic of topics) {
    const offsets = await admin.fetchTopicOffsets(topic);
    ends.set(topic, new Map(offsets.map((o) => [o.partition, { high: BigInt(o.high), low: BigInt(o.low) }])));
  }
  const samples: LagSample[] = [];
  for (const group of groups) {
    const committed = await admin.fetchOffsets({ groupId: group.groupId, topics: group.topics });
    for (const t of committed) {
      for (const p of t.partitions) {
        const end = ends.get(t.topic)?.get(p.partition);
        if (!end) continue;
        const offset = BigInt(p.offset);
        const from = offset < 0n ? end.low : offset;
        const lag = end.high > from ? end.high - from : 0n;
        samples.push({ groupId: group.groupId, topic: t.topic, partition: p.partition, lag: Number(lag) });
      }
    }
  }
  return samples;
}

export class ConsumerLagMetrics {
  private stopped = false;
  private admin: Admin | undefined;
  private connecting: Promise<Admin> | undefined;
  private readonly sample: CachedSample<LagSample[]>;
  private gauge: ObservableGauge | undefined;
  private readonly callback: ObservableCallback = async (result) => {
    try {
      for (const s of await this.sample.get())
        result.observe(s.lag, { consumer_group: s.groupId, topic: s.topic, partition: String(s.partition) });
    } catch (error) {
      logger.warn('consumer lag could not be read for /metrics', { error: String(error) });
    }
  };

  constructor(
    private readonly kafka: Kafka,
    groups: () => ConsumerGroupSubscription[],
    cacheMs = 5_000,
  ) {
    this.sample = new CachedSample(async () => consumerLag(await this.connect(), groups()), cacheMs);
  }

  start(): void {
    if (this.gauge) return;
    this.stopped = false;
    this.gauge = metrics.getMeter('@divit/messaging').createObservableGauge(BACKLOG_METRICS.consumerLag, {
      description: 'Records on the partition after the consumer group’s committed offset',
      unit: '{record}',
    });
    this.gauge.addCallback(this.callback);
  }

  /**
   * Stops sampling and closes the admin client. A scrape under way is waited for first: disconnecting the admin
   * while it still sends requests made kafkajs reconnect it for the next one, and a scrape after the disconnect
   * connected a new admin; either left a socket to Kafka that nobody closed (ADR 0023). After stop() a scrape fails
   * instead of connecting.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.gauge?.removeCallback(this.callback);
    this.gauge = undefined;
    await this.sample.settled();
    const admin = this.admin ?? (await this.connecting?.catch(() => undefined));
    this.admin = undefined;
    this.connecting = undefined;
    await admin?.disconnect().catch(() => undefined);
  }

  private async connect(): Promise<Admin> {
    if (this.stopped) throw new Error('consumer lag metrics stopped');
    if (this.admin) return this.admin;
    this.connecting ??= (async () => {
      const admin = this.kafka.admin();
      try {
        await admin.connect();
      } catch (error) {
        this.connecting = undefined;
        throw error;
      }
      this.admin = admin;
      return admin;
    })();
    return this.connecting;
  }
}
