import { createHash } from 'node:crypto';

/** Namespace for this service's derived ids (a fixed random uuid). */
export const IDENTITY_VALIDATION_NAMESPACE = '4f0c7a52-8d0e-4c52-9a53-6a1c2f3e9b17';

/** RFC 9562 name-based uuid (version 5, SHA-1): the same name always gives the same id. */
export function uuidV5(name: string, namespace = IDENTITY_VALIDATION_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const bytes = createHash('sha1').update(ns).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
