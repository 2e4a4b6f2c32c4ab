import { createHash } from 'node:crypto';

/** Namespace of the acknowledgement ids (a fixed random UUID; changing it changes every id). */
export const ERASURE_ACKNOWLEDGEMENT_NAMESPACE = '5b0d6c52-8a3e-4f0e-9d41-2c6f3b7a9e10';

/**
 * The event id of the acknowledgement of one erasure command by one owner for one category: a UUIDv5
 * (RFC 9562, SHA-1) of `<erasureId>/<owner>/<category>`. The same command always gets the same id, in
 * every service and on every delivery, so a consumer's inbox recognises a copy.
 */
export function erasureAcknowledgementId(erasureId: string, owner: string, category: string): string {
  return uuidV5(`${erasureId}/${owner}/${category}`, ERASURE_ACKNOWLEDGEMENT_NAMESPACE);
}

export function uuidV5(name: string, namespace: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new Error('uuidV5: the namespace must be a UUID');
  const hash = createHash('sha1').update(ns).update(Buffer.from(name, 'utf8')).digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
