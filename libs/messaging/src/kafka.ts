import { Admin, ITopicConfig, Kafka, logLevel, LogEntry } from 'kafkajs';
import { createLogger } from '@divit/observability';

export interface KafkaConnection {
  brokers: string[];
  clientId: string;
}

const LEVEL: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** A kafkajs client whose own logs go through the redacting JSON logger (warnings and up). */
export function createKafka(connection: KafkaConnection): Kafka {
  const logger = createLogger('kafkajs');
  return new Kafka({
    clientId: connection.clientId,
    brokers: connection.brokers,
    logLevel: logLevel.WARN,
    retry: { initialRetryTime: 200, retries: 8 },
    logCreator:
      () =>
      ({ namespace, level, log }: LogEntry) => {
        const { message, broker, groupId, topic, error } = log as Record<string, unknown>;
        logger.log(LEVEL[level] ?? 'info', String(message), { namespace, broker, groupId, topic, error });
      },
  });
}

/**
 * Creates topics (those that exist are left alone) and returns once the broker serves every partition.
 *
 * kafkajs' `waitForLeaders` asks the broker for metadata right after the controller accepted the topics; a
 * KRaft broker under load may not have applied them yet and answers UNKNOWN_TOPIC_OR_PARTITION ("This server
 * does not host this topic-partition"), which kafkajs does not retry there: test suites failed before their
 * first test. Here the creation is followed by ListOffsets to every partition's leader until all answer (the
 * leader hosts the partition then), retried until `timeoutMs`, after which it throws. Returns the names of
 * the topics it created.
 */
export async function createTopicsReady(
  admin: Admin,
  topics: ITopicConfig[],
  { timeoutMs = 60_000, intervalMs = 200 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const created = topics.filter((t) => !existing.has(t.topic));
  if (created.length === 0) return [];
  try {
    await admin.createTopics({ topics: created, waitForLeaders: false });
  } catch (error) {
    // Another client created one of them in the meantime: fine; anything else is real.
    if ((error as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') throw error;
  }
  const deadline = Date.now() + timeoutMs;
  for (const t of created) {
    for (;;) {
      try {
        const offsets = await admin.fetchTopicOffsets(t.topic);
        if (t.numPartitions === undefined || t.numPartitions < 1 || offsets.length >= t.numPartitions) break;
      } catch (error) {
        if (Date.now() > deadline)
          throw new Error(
            `topic ${t.topic}: not served by its leaders after ${timeoutMs} ms (${String(error)})`,
          );
      }
      if (Date.now() > deadline)
        throw new Error(`topic ${t.topic}: not all partitions served after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
  return created.map((t) => t.topic);
}
