import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { OutboxWriter } from '../../src';
import { appliedCounts, createRig, eventually, PingV1Event, TestRig, topicRecordCount } from './support';

const root = path.resolve(__dirname, '../../../..');

interface Worker {
  child: ChildProcess;
  lines: string[];
}

/** Every worker started, so that afterAll ends those a failed or timed-out test left running. */
const started: ChildProcess[] = [];

function startWorker(rig: TestRig, role: string, env: Record<string, string> = {}): Promise<Worker> {
  const child = spawn(
    process.execPath,
    [
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
      path.join(__dirname, 'worker.ts'),
      rig.db.name,
      rig.prefix,
      role,
    ],
    {
      cwd: root,
      env: { ...process.env, TS_NODE_PROJECT: path.join(root, 'tsconfig.json'), LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  started.push(child);
  const worker: Worker = { child, lines: [] };
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        worker.lines.push(line);
        if (line.includes('"ready":true')) resolve(worker);
      }
    });
    child.on('exit', (code) => reject(new Error(`worker exited early with ${code}`)));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve() : child.on('exit', () => resolve()),
  );
}

describe('outbox → relay → Kafka → inbox, with processes killed mid-stream', () => {
  let rig: TestRig;

  beforeAll(async () => {
    rig = await createRig('crash', 3);
  });
  afterAll(async () => {
    for (const child of started) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited(child);
    }
    await rig.close();
  });

  it('applies every event exactly once although relay and consumer are SIGKILLed and messages redelivered', async () => {
    const total = 6000;
    const writer = new OutboxWriter(rig.serde, rig.topics, '/test');
    for (let i = 0; i < total; i += 500) {
      await rig.dataSource.transaction((em) =>
        writer.addMany(
          em,
          PingV1Event,
          Array.from({ length: 500 }, (_, j) => ({
            key: `key-${(i + j) % 37}`,
            value: { n: i + j, group: 'crash' },
          })),
        ),
      );
    }

    // Round 1: kill both relay and consumer while the stream is flowing.
    const first = await startWorker(rig, 'relay+consumer');
    await eventually(
      () => appliedCounts(rig.dataSource),
      (c) => c.total >= 1000,
      120_000,
    );
    first.child.kill('SIGKILL');
    await exited(first.child);
    const afterKill = await appliedCounts(rig.dataSource);
    expect(afterKill.total).toBeLessThan(total);

    // Round 2: relay alone, killed again part-way; the consumer is down meanwhile.
    const relayOnly = await startWorker(rig, 'relay');
    await eventually(
      async () =>
        Number(
          (await rig.dataSource.query<{ c: number }[]>(`SELECT count(*)::int AS c FROM outbox_messages`))[0]
            ?.c,
        ),
      (left) => left < total - 2000 || left === 0,
      120_000,
    );
    relayOnly.child.kill('SIGKILL');
    await exited(relayOnly.child);

    // Round 3: everything again, until done; then a clean stop that reports what was redelivered.
    const last = await startWorker(rig, 'relay+consumer');
    await eventually(
      () => appliedCounts(rig.dataSource),
      (c) => c.total >= total,
      180_000,
    );
    last.child.kill('SIGTERM');
    await exited(last.child);

    // Round 4: an operator rewinds the group to the beginning: every event is redelivered and skipped.
    const admin = rig.kafka.admin();
    await admin.connect();
    await admin.resetOffsets({
      groupId: `${rig.prefix}crash`,
      topic: rig.topics.name('testEvents'),
      earliest: true,
    });
    const replay = await startWorker(rig, 'consumer');
    await eventually(
      async () => {
        const [committed] = await admin.fetchOffsets({
          groupId: `${rig.prefix}crash`,
          topics: [rig.topics.name('testEvents')],
        });
        const ends = await admin.fetchTopicOffsets(rig.topics.name('testEvents'));
        return (committed?.partitions ?? []).reduce(
          (lag, p) =>
            lag +
            Number(ends.find((e) => e.partition === p.partition)?.high ?? 0) -
            Math.max(0, Number(p.offset)),
          0,
        );
      },
      (lag) => lag === 0,
      120_000,
    );
    await admin.disconnect();
    replay.child.kill('SIGTERM');
    await exited(replay.child);
    const stats = JSON.parse(replay.lines[replay.lines.length - 1] ?? '{}') as {
      duplicates: number;
      processed: number;
    };

    const applied = await appliedCounts(rig.dataSource);
    expect(applied).toEqual({ total, uniq: total });
    const [inbox] = await rig.dataSource.query<{ c: number }[]>(
      `SELECT count(*)::int AS c FROM inbox_messages`,
    );
    expect(inbox?.c).toBe(total);
    const [outbox] = await rig.dataSource.query<{ c: number }[]>(
      `SELECT count(*)::int AS c FROM outbox_messages`,
    );
    expect(outbox?.c).toBe(0);
    // The broker holds at least every event once; redeliveries, if any, were absorbed by the inbox.
    const onTopic = await topicRecordCount(rig.kafka, rig.topics.name('testEvents'));
    expect(onTopic).toBeGreaterThanOrEqual(total);
    expect(stats.processed).toBe(0);
    expect(stats.duplicates).toBe(onTopic);
    process.stdout.write(
      `crash test: ${total} events, ${onTopic} records on the topic (relay re-sends included), all ${stats.duplicates} redelivered after rewind skipped by the inbox\n`,
    );
  });
  it('pipelined: a consumer killed between a chunk’s database commit and its offset commit applies every event once', async () => {
    const total = 3000;
    const writer = new OutboxWriter(rig.serde, rig.topics, '/test');
    await rig.dataSource.query(`TRUNCATE applied, inbox_messages`);
    // The group (the worker's) is at the end of the topic after the first test, or new when this test runs alone.
    for (let i = 0; i < total; i += 500) {
      await rig.dataSource.transaction((em) =>
        writer.addMany(
          em,
          PingV1Event,
          Array.from({ length: 500 }, (_, j) => ({
            key: `key-${(i + j) % 37}`,
            value: { n: 100_000 + i + j, group: 'pipelined' },
          })),
        ),
      );
    }

    // The worker kills itself in the hook that runs after the 8th chunk's database commit, before its offset commit.
    const doomed = await startWorker(rig, 'relay+consumer', {
      PIPELINED: '1',
      KILL_AFTER_CHUNK_COMMITS: '8',
    });
    await exited(doomed.child);
    expect(doomed.child.signalCode).toBe('SIGKILL');
    const afterKill = await appliedCounts(rig.dataSource);
    expect(afterKill.total).toBeGreaterThan(0);
    expect(afterKill.total).toBeLessThan(total);

    const survivor = await startWorker(rig, 'relay+consumer', { PIPELINED: '1' });
    await eventually(
      () => appliedCounts(rig.dataSource),
      (c) => c.total >= total,
      180_000,
    );
    survivor.child.kill('SIGTERM');
    await exited(survivor.child);
    const stats = JSON.parse(survivor.lines[survivor.lines.length - 1] ?? '{}') as { duplicates: number };

    expect(await appliedCounts(rig.dataSource)).toEqual({ total, uniq: total });
    // The killed chunk was committed in the database but not in Kafka: delivered again and skipped by the inbox.
    expect(stats.duplicates).toBeGreaterThan(0);
    process.stdout.write(
      `pipelined crash test: killed after ${afterKill.total} applied; ${stats.duplicates} redelivered events skipped by the inbox; ${total} applied once\n`,
    );
  });
});
