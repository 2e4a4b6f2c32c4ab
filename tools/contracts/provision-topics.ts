// Creates the catalogue's topics on the broker and keeps their settings in line with the catalogue.
//   npm run topics:provision              create missing topics; update retention.ms / cleanup.policy; add partitions
//   npm run topics:verify                 (= provision-topics.ts --verify) exit 1 on any difference, change nothing
//   KAFKA_TOPIC_PREFIX=tmp-x- ... --delete   delete this prefix's catalogue topics (refused without a prefix)
// Env: KAFKA_BROKERS (127.0.0.1:9092), KAFKA_TOPIC_PREFIX (''), TOPIC_REPLICATION_FACTOR (or the older
// KAFKA_REPLICATION_FACTOR; -1 = broker default), TOPIC_MIN_INSYNC_REPLICAS (unset = broker default; when set
// it is a topic config the catalogue decides, created, verified and altered like retention.ms).
import { ConfigResourceTypes, ConfigSource, Kafka, logLevel, type Admin } from 'kafkajs';
import type { TopicDefinition } from '@divit/contracts/src/event-descriptor';
import { createTopicsReady } from '@divit/messaging';
import { errorMessage } from './lib/avro';
import { loadContractsOrExit } from './lib/catalogue';
import { readToolsConfig, topicNameIn, type ToolsConfig } from './lib/env';
import { workingTreeSource } from './lib/source';

/** The topic configs the catalogue decides; everything else is left to the broker/operator. */
export function desiredConfigs(
  topic: TopicDefinition,
  minInsyncReplicas: number | null = null,
): Record<string, string> {
  return {
    'cleanup.policy': topic.cleanupPolicy,
    'retention.ms': String(topic.retentionMs),
    ...(minInsyncReplicas === null ? {} : { 'min.insync.replicas': String(minInsyncReplicas) }),
  };
}

interface ActualTopic {
  readonly partitions: number;
  /** Every config value as the broker reports it. */
  readonly configs: Record<string, string>;
  /** Topic-level overrides (source TOPIC_CONFIG); AlterConfigs replaces all of them, so they are resent. */
  readonly overrides: Record<string, string>;
}

async function describeTopics(admin: Admin, names: string[]): Promise<Map<string, ActualTopic>> {
  const out = new Map<string, ActualTopic>();
  if (names.length === 0) return out;
  const metadata = await admin.fetchTopicMetadata({ topics: names });
  const configs = await admin.describeConfigs({
    includeSynonyms: false,
    resources: names.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
  });
  for (const t of metadata.topics) {
    const resource = configs.resources.find((r) => r.resourceName === t.name);
    const all: Record<string, string> = {};
    const overrides: Record<string, string> = {};
    for (const e of resource?.configEntries ?? []) {
      all[e.configName] = e.configValue;
      if (e.configSource === ConfigSource.TOPIC_CONFIG && !e.isSensitive)
        overrides[e.configName] = e.configValue;
    }
    out.set(t.name, { partitions: t.partitions.length, configs: all, overrides });
  }
  return out;
}

/** Until every partition of the topics has a leader (each broker learns new topics a moment apart). */
function differences(topic: TopicDefinition, actual: ActualTopic, minIsr: number | null): string[] {
  const diffs: string[] = [];
  if (actual.partitions !== topic.partitions)
    diffs.push(`partitions: broker ${actual.partitions}, catalogue ${topic.partitions}`);
  for (const [name, value] of Object.entries(desiredConfigs(topic, minIsr))) {
    if (actual.configs[name] !== value)
      diffs.push(`${name}: broker ${actual.configs[name] ?? '(unset)'}, catalogue ${value}`);
  }
  return diffs;
}

async function run(
  admin: Admin,
  config: ToolsConfig,
  mode: 'provision' | 'verify' | 'delete',
): Promise<number> {
  const contracts = loadContractsOrExit(workingTreeSource());
  const topics = contracts.topics.map((t) => ({ def: t, name: topicNameIn(config, t.name) }));
  const existing = new Set(await admin.listTopics());
  const prefixNote = config.topicPrefix ? ` (topic prefix '${config.topicPrefix}')` : '';

  if (mode === 'delete') {
    const doomed = topics.map((t) => t.name).filter((n) => existing.has(n));
    if (doomed.length > 0) await admin.deleteTopics({ topics: doomed });
    console.log(`Deleted ${doomed.length} topic(s)${prefixNote}: ${doomed.join(', ') || '-'}`);
    return 0;
  }

  const actual = await describeTopics(
    admin,
    topics.map((t) => t.name).filter((n) => existing.has(n)),
  );
  console.log(
    `${mode === 'verify' ? 'Verifying' : 'Provisioning'} ${topics.length} topic(s) on ${config.kafkaBrokers.join(',')}${prefixNote}`,
  );

  if (mode === 'verify') {
    let bad = 0;
    for (const { def, name } of topics) {
      const a = actual.get(name);
      const diffs = a ? differences(def, a, config.minInsyncReplicas) : ['missing on the broker'];
      if (diffs.length === 0) console.log(`  ok       ${name}`);
      else {
        bad++;
        console.error(`  DIFFERS  ${name}: ${diffs.join('; ')}`);
      }
    }
    if (bad > 0) {
      console.error(`${bad} topic(s) differ from schemas/catalogue.yaml (run topics:provision).`);
      return 1;
    }
    return 0;
  }

  const missing = topics.filter((t) => !existing.has(t.name));
  if (missing.length > 0) {
    // Created, then awaited until every partition's leader serves it (kafkajs' own wait is not enough).
    await createTopicsReady(
      admin,
      missing.map(({ def, name }) => ({
        topic: name,
        numPartitions: def.partitions,
        replicationFactor: config.replicationFactor,
        configEntries: Object.entries(desiredConfigs(def, config.minInsyncReplicas)).map(([n, value]) => ({
          name: n,
          value,
        })),
      })),
    );
    for (const { def, name } of missing) {
      console.log(
        `  created  ${name} (partitions ${def.partitions}, retention.ms ${def.retentionMs}, cleanup.policy ${def.cleanupPolicy}${config.replicationFactor > 0 ? `, replication ${config.replicationFactor}` : ''}${config.minInsyncReplicas === null ? '' : `, min.insync.replicas ${config.minInsyncReplicas}`})`,
      );
    }
  }

  let failures = 0;
  for (const { def, name } of topics) {
    const a = actual.get(name);
    if (!a) continue;
    const diffs = differences(def, a, config.minInsyncReplicas);
    if (diffs.length === 0) {
      console.log(`  ok       ${name}`);
      continue;
    }
    if (a.partitions > def.partitions) {
      failures++;
      console.error(
        `  ✗        ${name}: has ${a.partitions} partitions, catalogue says ${def.partitions}; Kafka cannot remove partitions`,
      );
    } else if (a.partitions < def.partitions) {
      await admin.createPartitions({ topicPartitions: [{ topic: name, count: def.partitions }] });
      console.log(
        `  altered  ${name}: partitions ${a.partitions} → ${def.partitions} (keys now map to other partitions)`,
      );
    }
    const desired = desiredConfigs(def, config.minInsyncReplicas);
    const changed = Object.entries(desired).filter(([n, v]) => a.configs[n] !== v);
    if (changed.length > 0) {
      // AlterConfigs (non-incremental) resets every override it is not given: resend the existing ones.
      const entries = { ...a.overrides, ...desired };
      await admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: ConfigResourceTypes.TOPIC,
            name,
            configEntries: Object.entries(entries).map(([n, value]) => ({ name: n, value })),
          },
        ],
      });
      console.log(
        `  altered  ${name}: ${changed.map(([n, v]) => `${n} ${a.configs[n] ?? '(unset)'} → ${v}`).join(', ')}`,
      );
    }
  }
  return failures > 0 ? 1 : 0;
}

async function main(argv: string[]): Promise<number> {
  const unknown = argv.filter((a) => a !== '--verify' && a !== '--delete');
  if (unknown.length > 0 || (argv.includes('--verify') && argv.includes('--delete'))) {
    console.error(`usage: provision-topics.ts [--verify | --delete]   (unknown: ${unknown.join(' ')})`);
    return 2;
  }
  const mode = argv.includes('--verify') ? 'verify' : argv.includes('--delete') ? 'delete' : 'provision';
  const config = readToolsConfig();
  if (mode === 'delete' && !config.topicPrefix) {
    console.error('--delete only works with a KAFKA_TOPIC_PREFIX (it is for test and experiment topics)');
    return 2;
  }
  const kafka = new Kafka({
    clientId: 'divit-contracts-provision',
    brokers: [...config.kafkaBrokers],
    logLevel: logLevel.NOTHING,
    retry: { retries: 3 },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await run(admin, config, mode);
  } finally {
    await admin.disconnect();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`provision-topics failed: ${errorMessage(err)}`);
    process.exit(1);
  },
);
