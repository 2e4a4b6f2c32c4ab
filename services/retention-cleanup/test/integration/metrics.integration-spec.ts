import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { IdentityValidationFailedEvent } from '@divit/contracts';
import { createKafka, OUTBOX_RELAY_LOCK_ID } from '@divit/messaging';
import { LIFECYCLE_CONSUMER_GROUP } from '../../src/erasures/lifecycle.consumer';
import { eventually, RetentionTestApp } from './support';

interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** The samples of one metric in a Prometheus text page. */
function samples(text: string, name: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ labels, value: Number(m[3]) });
  }
  return out;
}

/**
 * The platform metrics every service serves on GET /metrics (docs/observability.md), scraped from
 * retention-cleanup on the real stack: HTTP by route template, outbox backlog and oldest age (the relay
 * paused by holding its advisory lock), consumer lag (the consumers held up by a lock on the inbox table),
 * dead letters and overdue erasures.
 */
describe('retention-cleanup: GET /metrics on the real stack', () => {
  const t = new RetentionTestApp({ ERASURE_OVERDUE_AFTER_SECONDS: '0' });
  let holder: Client;

  beforeAll(async () => {
    await t.start();
    const o = t.db.dataSource.options as {
      host?: string;
      port?: number;
      username?: string;
      password?: string;
    };
    holder = new Client({
      host: o.host,
      port: o.port,
      user: o.username,
      database: t.db.name,
      ...(typeof o.password === 'string' ? { password: o.password } : {}),
    });
    await holder.connect();
  });
  afterAll(async () => {
    await holder?.end().catch(() => undefined);
    await t.stop();
  });

  const scrape = async () => (await t.call('GET', '/metrics', null)).text;
  const group = `${t.prefix}${LIFECYCLE_CONSUMER_GROUP}`;
  const failed = (registrationId: string) => ({
    key: registrationId,
    value: {
      consentId: randomUUID(),
      registrationId,
      subjectId: registrationId,
      subjectRole: 'HOME_SEEKER' as const,
      purpose: 'BSN_AT_REGISTRATION' as const,
      failure: 'U2_DATA_DISPUTED' as const,
      failedAt: Date.now(),
      allocationId: null,
    },
  });

  it('counts HTTP requests by route template and status class, unrouted ones as (unmatched)', async () => {
    const auditor = t.platformOperator();
    const id = randomUUID();
    expect((await t.call('GET', `/legal-holds/${id}`, auditor)).status).toBe(404);
    expect((await t.call('GET', `/no-such-path/${id}`, auditor)).status).toBe(404);
    const text = await eventually(scrape, {
      description: 'both requests in the HTTP metrics',
      until: (page) => page.includes('route="/legal-holds/:id"'),
    });
    const requests = samples(text, 'divit_http_server_requests_total');
    expect(
      requests.find((s) => s.labels.route === '/legal-holds/:id' && s.labels.method === 'GET')?.labels,
    ).toEqual({ method: 'GET', route: '/legal-holds/:id', status_class: '4xx' });
    expect(
      requests.find((s) => s.labels.route === '(unmatched)' && s.labels.status_class === '4xx')?.value,
    ).toBeGreaterThanOrEqual(1);
    // No label carries a request's id.
    expect(requests.some((s) => Object.values(s.labels).some((v) => v.includes(id)))).toBe(false);
    const buckets = samples(text, 'divit_http_server_request_duration_seconds_bucket');
    expect(buckets.some((s) => s.labels.le === '+Inf' && s.value >= 1)).toBe(true);
  });

  it('the outbox backlog and its oldest age grow while the relay is paused and drain after', async () => {
    const before = samples(await scrape(), 'divit_messaging_outbox_backlog');
    expect(before).toHaveLength(1);
    // The relay publishes only while it gets its advisory lock: holding it pauses every relay of this database.
    await holder.query('SELECT pg_advisory_lock($1)', [OUTBOX_RELAY_LOCK_ID]);
    try {
      const registrationId = randomUUID();
      await t.publish(IdentityValidationFailedEvent, [failed(registrationId)]);
      // The consumer schedules the P0D erasures and writes their commands to the outbox; nothing leaves it.
      const text = await eventually(scrape, {
        description: 'an outbox backlog of at least 2 rows, the oldest at least 1 s old',
        until: (page) =>
          (samples(page, 'divit_messaging_outbox_backlog')[0]?.value ?? 0) >= 2 &&
          (samples(page, 'divit_messaging_outbox_oldest_age_seconds')[0]?.value ?? 0) >= 1,
      });
      expect(samples(text, 'divit_messaging_outbox_backlog')[0]!.value).toBe(
        await t.count('outbox_messages'),
      );
      // Overdue erasures (ERASURE_OVERDUE_AFTER_SECONDS=0): the commands are due and unacknowledged.
      expect(samples(text, 'divit_retention_overdue_erasures')[0]?.value).toBeGreaterThanOrEqual(2);
    } finally {
      await holder.query('SELECT pg_advisory_unlock($1)', [OUTBOX_RELAY_LOCK_ID]);
    }
    await eventually(scrape, {
      description: 'the outbox backlog to drain once the relay runs again',
      until: (page) =>
        samples(page, 'divit_messaging_outbox_backlog')[0]?.value === 0 &&
        samples(page, 'divit_messaging_outbox_oldest_age_seconds')[0]?.value === 0,
    });
  });

  it('consumer lag per group, topic and partition is above 0 while the consumer is held up and 0 after', async () => {
    const topic = t.topics.name(IdentityValidationFailedEvent.topic);
    const lagOf = (page: string) =>
      samples(page, 'divit_messaging_consumer_lag')
        .filter((s) => s.labels.consumer_group === group && s.labels.topic === topic)
        .reduce((sum, s) => sum + s.value, 0);
    const initial = await eventually(scrape, {
      description: `lag series for ${group} on ${topic}`,
      until: (page) =>
        samples(page, 'divit_messaging_consumer_lag').some((s) => s.labels.consumer_group === group),
    });
    const series = samples(initial, 'divit_messaging_consumer_lag').filter(
      (s) => s.labels.consumer_group === group,
    );
    expect(series.every((s) => /^\d+$/.test(s.labels.partition ?? '') && s.value >= 0)).toBe(true);

    // Every consumer records the event in inbox_messages in its transaction: a lock on that table holds them up.
    await holder.query('BEGIN');
    try {
      await holder.query('LOCK TABLE inbox_messages IN ACCESS EXCLUSIVE MODE');
      await t.publish(IdentityValidationFailedEvent, [
        failed(randomUUID()),
        failed(randomUUID()),
        failed(randomUUID()),
      ]);
      await eventually(scrape, {
        description: `lag of ${group} on ${topic} to reach 3`,
        until: (page) => lagOf(page) >= 3,
        timeoutMs: 20_000,
      });
    } finally {
      await holder.query('COMMIT');
    }
    await eventually(scrape, {
      description: `lag of ${group} on ${topic} back to 0`,
      until: (page) => lagOf(page) === 0,
      timeoutMs: 60_000,
    });
  });

  it('counts a dead letter by group, topic and error code', async () => {
    const topic = t.topics.name(IdentityValidationFailedEvent.topic);
    const kafka = createKafka({ brokers: t.config.KAFKA_BROKERS, clientId: `${t.prefix}metrics` });
    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send({ topic, messages: [{ key: 'poison', value: 'not an Avro record' }] });
    } finally {
      await producer.disconnect();
    }
    const text = await eventually(scrape, {
      description: `a dead letter of ${group} from ${topic}`,
      until: (page) =>
        samples(page, 'divit_messaging_dead_letters_total').some(
          (s) => s.labels.consumer_group === group && s.labels.topic === topic,
        ),
    });
    const letter = samples(text, 'divit_messaging_dead_letters_total').find(
      (s) => s.labels.consumer_group === group && s.labels.topic === topic,
    )!;
    expect(letter.value).toBe(1);
    expect(letter.labels.error_code).toMatch(/^[A-Z_]+$/);
    expect(
      samples(text, 'divit_messaging_consumer_up').filter((s) => s.labels.consumer_group === group),
    ).toEqual([{ labels: { consumer_group: group }, value: 1 }]);
  });
});
