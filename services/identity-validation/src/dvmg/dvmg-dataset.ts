import { createPublicKey, KeyObject, sign, verify, X509Certificate } from 'node:crypto';
import { z } from 'zod';

/**
 * **[assumption]** DvMG's message format is not public. A delivery is modelled as a dataset
 * `{sessionId, kind, status, loggedIn, bsn, income, receivedAt}` (JSON, UTF-8), sent server-to-server as
 * `{dataset: base64url(datasetBytes), signature: base64url(signature over datasetBytes)}`, signed by
 * MijnOverheid with Ed25519 (or RSA-SHA256). `status` ABORTED with `loggedIn` tells whether the person
 * aborted before or after the DigiD login; SHARED carries the BSN (and, for BSN_AND_INCOME, the income).
 */
export const deliveryEnvelopeSchema = z.strictObject({
  dataset: z
    .string()
    .min(1)
    .max(20_000)
    .regex(/^[A-Za-z0-9_-]+$/, 'must be base64url'),
  signature: z
    .string()
    .min(1)
    .max(2_000)
    .regex(/^[A-Za-z0-9_-]+$/, 'must be base64url'),
});
export type DeliveryEnvelope = z.infer<typeof deliveryEnvelopeSchema>;

export const dvmgDatasetSchema = z.strictObject({
  sessionId: z.uuid(),
  kind: z.enum(['BSN', 'BSN_AND_INCOME']),
  status: z.enum(['SHARED', 'ABORTED']),
  loggedIn: z.boolean(),
  /** Plain BSN as MijnOverheid sends it: only ever in memory, validated by the elfproef before use. */
  bsn: z.string().nullable(),
  income: z
    .strictObject({
      amountCents: z.number().int().min(0),
      kind: z.enum(['AGGREGATE_INCOME', 'TAXABLE_WAGE']),
      taxYear: z.number().int().min(2000).max(2100),
    })
    .nullable(),
  receivedAt: z.iso.datetime(),
});
export type DvmgDataset = z.infer<typeof dvmgDatasetSchema>;

/** Loads MijnOverheid's verification key from a PEM certificate or a PEM public key. */
export function dvmgVerificationKey(pem: string): KeyObject {
  if (pem.includes('BEGIN CERTIFICATE')) return new X509Certificate(pem).publicKey;
  return createPublicKey(pem);
}

/** Verifies a delivery signature with MijnOverheid's key (Ed25519, or RSA with SHA-256). */
export function verifyDeliverySignature(key: KeyObject, datasetBytes: Buffer, signature: Buffer): boolean {
  try {
    const algorithm = key.asymmetricKeyType === 'ed25519' ? null : 'sha256';
    return verify(algorithm, datasetBytes, key, signature);
  } catch {
    return false;
  }
}

/** Signs a dataset as MijnOverheid would (used by the SIMULATOR; the verification path is the real one). */
export function signDataset(privateKey: KeyObject, dataset: DvmgDataset): DeliveryEnvelope {
  const bytes = Buffer.from(JSON.stringify(dataset), 'utf8');
  const algorithm = privateKey.asymmetricKeyType === 'ed25519' ? null : 'sha256';
  return {
    dataset: bytes.toString('base64url'),
    signature: sign(algorithm, bytes, privateKey).toString('base64url'),
  };
}
