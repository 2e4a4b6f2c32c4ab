import { MessagingError } from './errors';

/** Confluent wire format: magic byte 0, 4-byte big-endian schema id, Avro binary body. */
export const MAGIC_BYTE = 0;
export const HEADER_LENGTH = 5;

export function frame(schemaId: number, body: Buffer): Buffer {
  const framed = Buffer.allocUnsafe(HEADER_LENGTH + body.length);
  framed.writeUInt8(MAGIC_BYTE, 0);
  framed.writeUInt32BE(schemaId, 1);
  body.copy(framed, HEADER_LENGTH);
  return framed;
}

export function unframe(value: Buffer | null): { schemaId: number; body: Buffer } {
  if (!value || value.length < HEADER_LENGTH || value.readUInt8(0) !== MAGIC_BYTE) {
    throw new MessagingError(
      'NOT_CONFLUENT_FRAMED',
      `value is not in the Confluent wire format (${value ? `${value.length} bytes, first byte ${value[0] ?? 'none'}` : 'null'})`,
    );
  }
  return { schemaId: value.readUInt32BE(1), body: value.subarray(HEADER_LENGTH) };
}
