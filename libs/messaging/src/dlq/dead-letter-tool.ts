import { randomUUID } from 'node:crypto';
import { Kafka, KafkaMessage } from 'kafkajs';
import { CE, headersToStrings } from '../headers';
import { DeadLetterReference, DLQ, parseDeadLetterReference } from './dead-letter';

/** What an operator sees of a dead letter: metadata only, never the (possibly personal) payload. */
export interface DeadLetterRecord {
  partition: number;
  offset: string;
  key: string | null;
  eventId: string | null;
  eventType: string | null;
  reason: string;
  errorCode: string;
  originalTopic: string;
  originalPartition: number;
  originalOffset: string;
  consumerGroup: string;
  attempts: number;
  failedAt: string;
  valueBytes: number;
  /**
   * True when the original did not fit the dead-letter topic: the value is then a reference to the original
   * record (`reference`), not the record itself, and `dlq_truncated` says what was replaced.
   */
  truncated: boolean;
  reference: DeadLetterReference | null;
  message: KafkaMessage;
}

/** Thrown by `replayDeadLetters` for dead letters that hold a reference instead of the original record. */
export class DeadLetterNotReplayableError extends Error {
  readonly code = 'DEAD_LETTER_TRUNCATED';
  constructor(readonly records: readonly DeadLetterRecord[]) {
    super(
      `cannot replay ${records.length} truncated dead letter(s): the original record was too large for the ` +
        `dead-letter topic, so only a reference was kept. Re-publish the original from its topic while it is ` +
        `retained, or leave these out: ` +
        records
          .map(
            (r) =>
              `${r.partition}:${r.offset} → ${r.originalTopic} partition ${r.originalPartition} offset ${r.originalOffset}` +
              (r.reference?.valueSha256 ? ` (sha256 ${r.reference.valueSha256})` : ''),
          )
          .join('; '),
    );
    this.name = 'DeadLetterNotReplayableError';
  }
}

/** Reads every record currently on a dead-letter topic (from the beginning up to the high watermark). */
export async function readDeadLetters(kafka: Kafka, dlqTopic: string): Promise<DeadLetterRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `divit-dlq-tool-${randomUUID()}`;
  try {
    const offsets = await admin.fetchTopicOffsets(dlqTopic);
    const remaining = new Map(
      offsets.filter((o) => BigInt(o.high) > BigInt(o.low)).map((o) => [o.partition, BigInt(o.high) - 1n]),
    );
    const records: DeadLetterRecord[] = [];
    if (remaining.size > 0) {
      const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200 });
      await consumer.connect();
      await consumer.subscribe({ topics: [dlqTopic], fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        consumer
          .run({
            autoCommit: false,
            eachMessage: async ({ partition, message }) => {
              const last = remaining.get(partition);
              if (last === undefined || BigInt(message.offset) > last) return;
              records.push(toRecord(partition, message));
              if (BigInt(message.offset) === last) remaining.delete(partition);
              if (remaining.size === 0) resolve();
              return Promise.resolve();
            },
          })
          .catch(reject);
      });
      await consumer.disconnect();
      await admin.deleteGroups([groupId]).catch(() => undefined);
    }
    return records.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
  } finally {
    await admin.disconnect();
  }
}

function toRecord(partition: number, message: KafkaMessage): DeadLetterRecord {
  const h = headersToStrings(message.headers);
  return {
    partition,
    offset: message.offset,
    key: message.key ? message.key.toString('utf8') : null,
    eventId: h[CE.id] ?? null,
    eventType: h[CE.type] ?? null,
    reason: h[DLQ.reason] ?? '',
    errorCode: h[DLQ.errorCode] ?? '',
    originalTopic: h[DLQ.originalTopic] ?? '',
    originalPartition: Number(h[DLQ.originalPartition] ?? -1),
    originalOffset: h[DLQ.originalOffset] ?? '',
    consumerGroup: h[DLQ.consumerGroup] ?? '',
    attempts: Number(h[DLQ.attempts] ?? 0),
    failedAt: h[DLQ.failedAt] ?? '',
    valueBytes: message.value?.length ?? 0,
    truncated: h[DLQ.truncated] !== undefined,
    reference: parseDeadLetterReference(h[DLQ.truncated], message.value),
    message,
  };
}

/**
 * Re-publishes dead letters to their original topic with the original key, value and headers (minus the
 * dlq_* ones, plus dlq_replayed_from). Consumer groups that already processed the event skip it by its id.
 * Refuses (`DeadLetterNotReplayableError`, before sending anything) if any of them is truncated: its value is a
 * reference, and re-publishing that would put a record no consumer can read on the original topic.
 */
export async function replayDeadLetters(
  kafka: Kafka,
  dlqTopic: string,
  records: readonly DeadLetterRecord[],
): Promise<number> {
  if (records.length === 0) return 0;
  const truncated = records.filter((r) => r.truncated);
  if (truncated.length > 0) throw new DeadLetterNotReplayableError(truncated);
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  try {
    for (const r of records) {
      const headers = Object.fromEntries(
        Object.entries(r.message.headers ?? {}).filter(([k]) => !k.startsWith('dlq_')),
      );
      await producer.send({
        topic: r.originalTopic,
        acks: -1,
        messages: [
          {
            key: r.message.key,
            value: r.message.value,
            headers: { ...headers, [DLQ.replayedFrom]: `${dlqTopic}:${r.partition}:${r.offset}` },
          },
        ],
      });
    }
    return records.length;
  } finally {
    await producer.disconnect();
  }
}
