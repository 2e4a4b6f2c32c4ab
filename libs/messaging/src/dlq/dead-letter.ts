import { IHeaders } from 'kafkajs';

/** Headers added to a dead-lettered record; the key, value and original headers are kept unchanged. */
export const DLQ = {
  reason: 'dlq_reason',
  errorCode: 'dlq_error_code',
  originalTopic: 'dlq_original_topic',
  originalPartition: 'dlq_original_partition',
  originalOffset: 'dlq_original_offset',
  consumerGroup: 'dlq_consumer_group',
  attempts: 'dlq_attempts',
  failedAt: 'dlq_failed_at',
  replayedFrom: 'dlq_replayed_from',
} as const;

export interface DeadLetterInfo {
  reason: string;
  errorCode: string;
  originalTopic: string;
  originalPartition: number;
  originalOffset: string;
  consumerGroup: string;
  attempts: number;
  failedAt: Date;
}

export function deadLetterHeaders(original: IHeaders | undefined, info: DeadLetterInfo): IHeaders {
  return {
    ...(original ?? {}),
    [DLQ.reason]: info.reason.slice(0, 2000),
    [DLQ.errorCode]: info.errorCode,
    [DLQ.originalTopic]: info.originalTopic,
    [DLQ.originalPartition]: String(info.originalPartition),
    [DLQ.originalOffset]: info.originalOffset,
    [DLQ.consumerGroup]: info.consumerGroup,
    [DLQ.attempts]: String(info.attempts),
    [DLQ.failedAt]: info.failedAt.toISOString(),
  };
}
