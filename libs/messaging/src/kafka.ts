import { Kafka, logLevel, LogEntry } from 'kafkajs';
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
