import { createHash } from 'node:crypto';
import {
  buildDeadLetter,
  DEAD_LETTER_REFERENCE_CONTENT_TYPE,
  DeadLetterInfo,
  DeadLetterReference,
  DeadLetterTooLargeError,
  DLQ,
  parseDeadLetterReference,
  recordBatchBytes,
} from './dead-letter';

const info: DeadLetterInfo = {
  reason: 'handler failed',
  errorCode: 'HANDLER_FAILED',
  originalTopic: 'divit.test.v1',
  originalPartition: 2,
  originalOffset: '41',
  consumerGroup: 'group',
  attempts: 5,
  failedAt: new Date('2026-01-01T00:00:00Z'),
};
const ceHeaders = { ce_id: 'id-1', ce_type: 'nl.divit.test.Ping', 'content-type': 'application/avro' };
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

function referenceOf(value: Buffer | string | null | undefined): DeadLetterReference {
  return JSON.parse(String(value)) as DeadLetterReference;
}

describe('buildDeadLetter', () => {
  it('keeps the original key, value and headers when they fit', () => {
    const value = Buffer.alloc(1000, 1);
    const { message, truncated } = buildDeadLetter(
      { key: Buffer.from('k'), value, headers: ceHeaders },
      info,
      64 * 1024,
    );
    expect(truncated).toBeNull();
    expect(message.value).toBe(value);
    expect(message.headers).toMatchObject({ ...ceHeaders, [DLQ.reason]: 'handler failed' });
    expect(message.headers?.[DLQ.truncated]).toBeUndefined();
  });

  it('replaces a value that does not fit by a reference with size, hash and a prefix', () => {
    const limit = 64 * 1024;
    const value = Buffer.alloc(limit - 100, 7);
    const { message, truncated } = buildDeadLetter(
      { key: Buffer.from('k'), value, headers: ceHeaders },
      info,
      limit,
    );
    expect(truncated).toBe('value');
    expect(recordBatchBytes(message)).toBeLessThanOrEqual(limit);
    expect(message.headers).toMatchObject({
      ce_id: 'id-1',
      'content-type': DEAD_LETTER_REFERENCE_CONTENT_TYPE,
      [DLQ.truncated]: 'value',
      [DLQ.reason]: 'handler failed',
      [DLQ.originalOffset]: '41',
    });
    const reference = referenceOf(message.value);
    expect(reference).toMatchObject({
      originalTopic: 'divit.test.v1',
      originalPartition: 2,
      originalOffset: '41',
      valueBytes: value.length,
      valueSha256: sha(value),
      keyBytes: 1,
    });
    expect(Buffer.from(reference.valuePrefixBase64 ?? '', 'base64')).toEqual(value.subarray(0, 1024));
    expect(parseDeadLetterReference('value', message.value as Buffer)).toEqual(reference);
  });

  it('always writes a reference when forced, even if the original would fit', () => {
    const { truncated, message } = buildDeadLetter(
      { key: null, value: Buffer.from('small'), headers: {} },
      info,
      64 * 1024,
      true,
    );
    expect(truncated).toBe('value');
    expect(referenceOf(message.value).valueSha256).toBe(sha('small'));
  });

  it('drops large original headers, then hashes a large key, so that the letter still fits', () => {
    const limit = 4096;
    const headers = { ...ceHeaders, big: Buffer.alloc(3700, 1) };
    const withHeaders = buildDeadLetter(
      { key: Buffer.from('k'), value: Buffer.alloc(10), headers },
      info,
      limit,
    );
    expect(withHeaders.truncated).toBe('value,headers');
    expect(withHeaders.message.headers?.big).toBeUndefined();
    expect(withHeaders.message.headers?.ce_id).toBe('id-1');
    expect(referenceOf(withHeaders.message.value).droppedHeaders).toEqual(['content-type', 'big']);
    expect(recordBatchBytes(withHeaders.message)).toBeLessThanOrEqual(limit);

    const key = Buffer.alloc(3500, 2);
    const withKey = buildDeadLetter({ key, value: Buffer.alloc(10), headers }, info, limit);
    expect(withKey.truncated).toBe('value,headers,key');
    expect(withKey.message.key).toBe(sha(key));
    expect(referenceOf(withKey.message.value)).toMatchObject({ keyBytes: 3500, keySha256: sha(key) });
    expect(withKey.message.headers?.[DLQ.reason]).toBe('handler failed');
    expect(recordBatchBytes(withKey.message)).toBeLessThanOrEqual(limit);
  });

  it('refuses with a clear error when not even the reference fits', () => {
    expect(() => buildDeadLetter({ key: null, value: Buffer.alloc(10), headers: {} }, info, 300)).toThrow(
      DeadLetterTooLargeError,
    );
  });

  it('estimates at least the real size of a one-record batch', () => {
    // 61 bytes batch header; a record with 1-byte key, 10-byte value, no headers is 18 bytes on the wire.
    expect(recordBatchBytes({ key: 'k', value: Buffer.alloc(10) })).toBeGreaterThanOrEqual(61 + 18);
  });
});
