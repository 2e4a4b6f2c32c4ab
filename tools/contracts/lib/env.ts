// Configuration of the contract commands, from the environment (command-line tools only).
import { prefixedTopicName } from '@divit/contracts/src/naming';

export interface ToolsConfig {
  /** Confluent-compatible schema registry API base URL (Apicurio: .../apis/ccompat/v7). */
  readonly schemaRegistryUrl: string;
  readonly kafkaBrokers: readonly string[];
  /** Prepended to every topic name and hence to every subject; tests use it to isolate. */
  readonly topicPrefix: string;
  /** Replication factor for new topics; -1 = the broker's default.replication.factor. */
  readonly replicationFactor: number;
  /** min.insync.replicas set on every catalogue topic; null = leave it to the broker's default. */
  readonly minInsyncReplicas: number | null;
}

export function readToolsConfig(env: NodeJS.ProcessEnv = process.env): ToolsConfig {
  // TOPIC_REPLICATION_FACTOR is the name deploy/ uses; KAFKA_REPLICATION_FACTOR the older one.
  if (
    env.TOPIC_REPLICATION_FACTOR !== undefined &&
    env.KAFKA_REPLICATION_FACTOR !== undefined &&
    env.TOPIC_REPLICATION_FACTOR !== env.KAFKA_REPLICATION_FACTOR
  ) {
    console.error('TOPIC_REPLICATION_FACTOR and KAFKA_REPLICATION_FACTOR differ; set one of them');
    process.exit(2);
  }
  const rf = env.TOPIC_REPLICATION_FACTOR ?? env.KAFKA_REPLICATION_FACTOR ?? '-1';
  if (!/^(-1|[1-9][0-9]*)$/.test(rf)) {
    console.error('TOPIC_REPLICATION_FACTOR must be -1 (broker default) or a positive integer');
    process.exit(2);
  }
  // TOPIC_MIN_INSYNC_REPLICAS; KAFKA_MIN_INSYNC_REPLICAS is accepted as the older name (deploy/k8s job).
  if (
    env.TOPIC_MIN_INSYNC_REPLICAS !== undefined &&
    env.KAFKA_MIN_INSYNC_REPLICAS !== undefined &&
    env.TOPIC_MIN_INSYNC_REPLICAS !== env.KAFKA_MIN_INSYNC_REPLICAS
  ) {
    console.error('TOPIC_MIN_INSYNC_REPLICAS and KAFKA_MIN_INSYNC_REPLICAS differ; set one of them');
    process.exit(2);
  }
  const minIsr = env.TOPIC_MIN_INSYNC_REPLICAS ?? env.KAFKA_MIN_INSYNC_REPLICAS ?? '';
  if (!/^([1-9][0-9]*)?$/.test(minIsr)) {
    console.error('TOPIC_MIN_INSYNC_REPLICAS must be a positive integer (or unset: broker default)');
    process.exit(2);
  }
  const prefix = env.KAFKA_TOPIC_PREFIX ?? '';
  if (!/^[a-zA-Z0-9._-]*$/.test(prefix)) {
    console.error('KAFKA_TOPIC_PREFIX may only contain letters, digits, ".", "_" and "-"');
    process.exit(2);
  }
  return {
    schemaRegistryUrl: (env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7').replace(
      /\/+$/,
      '',
    ),
    kafkaBrokers: (env.KAFKA_BROKERS ?? '127.0.0.1:9092')
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean),
    topicPrefix: prefix,
    replicationFactor: Number(rf),
    minInsyncReplicas: minIsr ? Number(minIsr) : null,
  };
}

/** The real topic name of a catalogue topic in this environment. */
export function topicNameIn(config: ToolsConfig, catalogueName: string): string {
  return prefixedTopicName(catalogueName, config.topicPrefix);
}
