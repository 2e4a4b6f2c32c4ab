import { createHash } from 'node:crypto';
import { IHeaders, Message } from 'kafkajs';

/**
 * Headers added to a dead-lettered record. The key, value and original headers are kept unchanged when the
 * copy fits the dead-letter topic; otherwise the value is replaced by a reference (see `buildDeadLetter`).
 */
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
  /** Only on a dead letter that did not fit: what was replaced, `value`, `value,headers` or `value,headers,key`. */
  truncated: 'dlq_truncated',
} as const;

/** `content-type` of a dead letter whose value is a `DeadLetterReference` (UTF-8 JSON) instead of the record. */
export const DEAD_LETTER_REFERENCE_CONTENT_TYPE = 'application/vnd.divit.dead-letter-reference+json';

/** Kafka's default `max.message.bytes` (1 MiB + 12), used when the topic's own limit cannot be read. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

/** Kept free below the topic's limit, on top of the (already pessimistic) size estimate. */
export const DEAD_LETTER_HEADROOM_BYTES = 256;

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

/**
 * The value of a dead letter whose original did not fit the dead-letter topic: where the original is and
 * how to recognise it. The original stays on its topic for that topic's retention.
 */
export interface DeadLetterReference {
  originalTopic: string;
  originalPartition: number;
  originalOffset: string;
  /** Size of the original value in bytes (0 for a null value). */
  valueBytes: number;
  /** SHA-256 (hex) of the original value; null for a null value. */
  valueSha256: string | null;
  /** The first bytes of the original value (base64), only when they fit; at most 1 KiB. */
  valuePrefixBase64?: string;
  /** Size of the original key in bytes (0 for a null key). */
  keyBytes: number;
  /** Only when the key was too large and replaced by its SHA-256 (hex). */
  keySha256?: string;
  /** Names of the original headers left out because they did not fit. */
  droppedHeaders?: string[];
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

type Bytes = Buffer | string | null | undefined;

function byteLength(v: Bytes): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'string' ? Buffer.byteLength(v) : v.length;
}

/**
 * Upper bound of the size of a record batch holding only this record (magic v2, uncompressed), which is
 * what the broker compares with the topic's `max.message.bytes`: 61 bytes of batch header, the record's
 * varints counted at their largest (5 bytes), key, value and each header's name and value.
 */
export function recordBatchBytes(message: { key?: Bytes; value: Bytes; headers?: IHeaders }): number {
  let size = 61 + 5 * 7 + byteLength(message.key) + byteLength(message.value);
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) size += 10 + Buffer.byteLength(name) + byteLength(v);
  }
  return size;
}

/** The CloudEvents and trace headers kept when the original headers must be dropped to fit. */
const ESSENTIAL_HEADERS = new Set([
  'ce_id',
  'ce_type',
  'ce_source',
  'ce_time',
  'ce_specversion',
  'ce_subject',
  'traceparent',
]);
const ESSENTIAL_HEADER_MAX_BYTES = 256;
const PREFIX_MAX_BYTES = 1024;
const SHORT_REASON_CHARS = 200;

export interface DeadLetterOriginal {
  key: Buffer | null;
  value: Buffer | null;
  headers?: IHeaders;
}

/** Thrown when not even a reference (metadata only) fits the dead-letter topic: its limit is misconfigured. */
export class DeadLetterTooLargeError extends Error {
  readonly code = 'DEAD_LETTER_TOO_LARGE';
  /** kafkajs must not retry it: the same record would not fit the next time either. */
  readonly retriable = false;
  constructor(bytes: number, maxBytes: number) {
    super(
      `even a reference dead letter (${bytes} bytes) exceeds the dead-letter topic's max.message.bytes (${maxBytes})`,
    );
    this.name = 'DeadLetterTooLargeError';
  }
}

/**
 * The record to write to the dead-letter topic for `original`, guaranteed (by a pessimistic estimate) to fit
 * `maxBytes`: the original key, value and headers plus the dlq_* headers when they fit; otherwise the value
 * is replaced by a JSON `DeadLetterReference` (then, if still needed, the original headers other than the
 * CloudEvents ones are dropped, the key is replaced by its hash and the reason shortened). `dlq_truncated`
 * says what was replaced; `dlq_reason` is always present. `forceReference` skips the full copy (used after
 * the broker refused one). Throws `DeadLetterTooLargeError` if not even the reference fits.
 */
export function buildDeadLetter(
  original: DeadLetterOriginal,
  info: DeadLetterInfo,
  maxBytes: number,
  forceReference = false,
): { message: Message; truncated: string | null } {
  const budget = maxBytes - DEAD_LETTER_HEADROOM_BYTES;
  const full: Message = {
    key: original.key,
    value: original.value,
    headers: deadLetterHeaders(original.headers, info),
  };
  if (!forceReference && recordBatchBytes(full) <= budget) return { message: full, truncated: null };

  const reference: DeadLetterReference = {
    originalTopic: info.originalTopic,
    originalPartition: info.originalPartition,
    originalOffset: info.originalOffset,
    valueBytes: original.value?.length ?? 0,
    valueSha256: original.value ? sha256(original.value) : null,
    keyBytes: original.key?.length ?? 0,
  };
  const attempt = (
    headers: IHeaders | undefined,
    key: Buffer | string | null,
    shortReason: boolean,
    truncated: string,
  ): Message => ({
    key,
    value: JSON.stringify(reference),
    headers: {
      ...deadLetterHeaders(headers, {
        ...info,
        reason: shortReason ? info.reason.slice(0, SHORT_REASON_CHARS) : info.reason,
      }),
      'content-type': DEAD_LETTER_REFERENCE_CONTENT_TYPE,
      [DLQ.truncated]: truncated,
    },
  });

  // 1. Only the value replaced.
  let message = attempt(original.headers, original.key, false, 'value');
  if (recordBatchBytes(message) <= budget) {
    addPrefix(reference, original.value, budget - recordBatchBytes(message));
    const withPrefix = attempt(original.headers, original.key, false, 'value');
    if (recordBatchBytes(withPrefix) <= budget) return { message: withPrefix, truncated: 'value' };
    delete reference.valuePrefixBase64;
    return { message, truncated: 'value' };
  }
  // 2. Also the original headers, except short CloudEvents and trace headers.
  const kept: IHeaders = {};
  const dropped: string[] = [];
  for (const [name, value] of Object.entries(original.headers ?? {})) {
    if (
      ESSENTIAL_HEADERS.has(name) &&
      !Array.isArray(value) &&
      byteLength(value) <= ESSENTIAL_HEADER_MAX_BYTES
    ) {
      kept[name] = value;
    } else dropped.push(name);
  }
  reference.droppedHeaders = dropped;
  message = attempt(kept, original.key, false, 'value,headers');
  if (recordBatchBytes(message) <= budget) return { message, truncated: 'value,headers' };
  // 3. Also the key (by its hash, which keeps the partitioning deterministic) and a shorter reason.
  let key: string | null = null;
  if (original.key) {
    key = sha256(original.key);
    reference.keySha256 = key;
  }
  message = attempt(kept, key, true, 'value,headers,key');
  const bytes = recordBatchBytes(message);
  if (bytes <= budget) return { message, truncated: 'value,headers,key' };
  throw new DeadLetterTooLargeError(bytes, maxBytes);
}

function addPrefix(reference: DeadLetterReference, value: Buffer | null, spare: number): void {
  if (!value || value.length === 0) return;
  // base64 grows 3 bytes to 4; 32 bytes for the JSON field name and quotes.
  const length = Math.min(PREFIX_MAX_BYTES, value.length, Math.floor(((spare - 32) * 3) / 4));
  if (length > 0) reference.valuePrefixBase64 = value.subarray(0, length).toString('base64');
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Parses a dead letter's value as a reference; null if the dead letter holds the original record. */
export function parseDeadLetterReference(
  truncatedHeader: string | undefined,
  value: Buffer | null,
): DeadLetterReference | null {
  if (!truncatedHeader || !value) return null;
  try {
    const parsed = JSON.parse(value.toString('utf8')) as DeadLetterReference;
    return typeof parsed === 'object' && parsed !== null && typeof parsed.originalTopic === 'string'
      ? parsed
      : null;
  } catch {
    return null;
  }
}
