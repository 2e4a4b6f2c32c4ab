// The comparison `npm run topics:verify` makes (catalogue vs the broker's actual topic configs), as an exported
// function for tests and services (tools/contracts/provision-topics.ts keeps its own copy; the CLI is unchanged).
import { ConfigResourceTypes, type Admin } from 'kafkajs';
import type { TopicDefinition } from '@divit/contracts/src/event-descriptor';

export interface TopicDrift {
  /** The real topic name (with the environment's prefix). */
  topic: string;
  /** e.g. "retention.ms: broker 1000, catalogue 86400000", or "missing on the broker". */
  differences: string[];
}

/** The topic configs the catalogue decides (same as provision-topics.ts). */
export function catalogueTopicConfigs(topic: TopicDefinition): Record<string, string> {
  return { 'cleanup.policy': topic.cleanupPolicy, 'retention.ms': String(topic.retentionMs) };
}

/**
 * Compares the catalogue's topics (under `prefix`) with the broker: missing topics, partition counts,
 * cleanup.policy and retention.ms. Returns only the topics that differ.
 */
export async function topicDrift(
  admin: Admin,
  topics: readonly TopicDefinition[],
  prefix = '',
): Promise<TopicDrift[]> {
  const existing = new Set(await admin.listTopics());
  const named = topics.map((def) => ({ def, name: `${prefix}${def.name}` }));
  const present = named.filter((t) => existing.has(t.name)).map((t) => t.name);
  const partitions = new Map<string, number>();
  const configs = new Map<string, Record<string, string>>();
  if (present.length > 0) {
    const metadata = await admin.fetchTopicMetadata({ topics: present });
    for (const t of metadata.topics) partitions.set(t.name, t.partitions.length);
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: present.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
    });
    for (const r of described.resources) {
      const all: Record<string, string> = {};
      for (const e of r.configEntries) all[e.configName] = e.configValue;
      configs.set(r.resourceName, all);
    }
  }
  const out: TopicDrift[] = [];
  for (const { def, name } of named) {
    if (!existing.has(name)) {
      out.push({ topic: name, differences: ['missing on the broker'] });
      continue;
    }
    const differences: string[] = [];
    const actualPartitions = partitions.get(name);
    if (actualPartitions !== def.partitions)
      differences.push(`partitions: broker ${actualPartitions ?? '(unknown)'}, catalogue ${def.partitions}`);
    const actual = configs.get(name) ?? {};
    for (const [key, value] of Object.entries(catalogueTopicConfigs(def))) {
      if (actual[key] !== value)
        differences.push(`${key}: broker ${actual[key] ?? '(unset)'}, catalogue ${value}`);
    }
    if (differences.length > 0) out.push({ topic: name, differences });
  }
  return out;
}
