import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { ConfigResourceTypes } from 'kafkajs';
import { topicCatalogue } from '@divit/contracts';
import type { TopicDefinition } from '@divit/contracts';
import { createKafka } from '@divit/messaging';
import { eventually, stackEnvironment } from '@divit/testing';
// The check lives with the provisioning tool (tools/contracts), which is no Nx project with an alias.
/* eslint-disable @nx/enforce-module-boundaries -- a test of the tool; nx-ignore keeps the graph acyclic */
// nx-ignore-next-line
import { topicDrift } from '../../../../tools/contracts/lib/topic-drift';
/* eslint-enable @nx/enforce-module-boundaries */

const run = promisify(execFile);
const root = resolve(__dirname, '../../../..');

/** `npm run topics:provision` / `topics:verify` for a throw-away prefix. */
function tool(prefix: string, ...args: string[]) {
  return run(
    'node',
    [
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
      'tools/contracts/provision-topics.ts',
      ...args,
    ],
    { cwd: root, env: { ...process.env, KAFKA_TOPIC_PREFIX: prefix, TS_NODE_PROJECT: 'tsconfig.json' } },
  );
}

/**
 * Topics that carry personal data have bounded retention set by provisioning; the check compares the catalogue
 * with the broker's actual configs and reports a topic whose retention was changed on the broker.
 */
describe('topic retention: catalogue vs broker (real Kafka)', () => {
  const prefix = `it-retention-${randomBytes(3).toString('hex')}-`;
  // The same broker as the provisioning tool it runs (KAFKA_BROKERS, default 127.0.0.1:9092).
  const brokers = (stackEnvironment().KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const kafka = createKafka({ brokers, clientId: prefix });
  const admin = kafka.admin();
  const topics: TopicDefinition[] = Object.values(topicCatalogue);
  const identityData = topicCatalogue.registrationIdentityData;

  beforeAll(async () => {
    await admin.connect();
    await tool(prefix);
  });
  afterAll(async () => {
    await tool(prefix, '--delete');
    await admin.disconnect();
  });

  it('every topic with direct personal data has a bounded retention in the catalogue', () => {
    const direct = topics.filter((t) => t.personalData === 'direct');
    expect(direct.length).toBeGreaterThan(0);
    for (const t of direct) expect(t.retentionMs).toBeGreaterThan(0);
  });

  it('provisioned topics match the catalogue; a retention changed on the broker is reported', async () => {
    expect(await topicDrift(admin, topics, prefix)).toEqual([]);

    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: `${prefix}${identityData.name}`,
          configEntries: [
            { name: 'retention.ms', value: '-1' },
            { name: 'cleanup.policy', value: 'delete' },
          ],
        },
      ],
    });

    // The broker applies an AlterConfigs asynchronously: poll until the check sees it.
    const drift = await eventually(() => topicDrift(admin, topics, prefix), {
      description: 'topicDrift(admin, topics, prefix) to satisfy (d) => d.length > 0',
      until: (d) => d.length > 0,
    });
    expect(drift).toEqual([
      {
        topic: `${prefix}${identityData.name}`,
        differences: [`retention.ms: broker -1, catalogue ${identityData.retentionMs}`],
      },
    ]);
    // The CLI check (npm run topics:verify) sees the same difference and fails.
    const verify = await tool(prefix, '--verify').then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(verify.code).toBe(1);
    expect(verify.stderr).toContain(`DIFFERS  ${prefix}${identityData.name}: retention.ms: broker -1`);
  });
});
