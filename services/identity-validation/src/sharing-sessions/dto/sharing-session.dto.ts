import { z } from 'zod';
import { BSN_PURPOSES } from '../../receipts/receipt-verifier';

export const startSessionSchema = z.strictObject({
  /** The signed consent receipt (compact JWS) from the consent service. */
  receipt: z.string().min(1).max(10_000),
  /** The purpose the session is for; must be the receipt's purpose. */
  purpose: z.enum(BSN_PURPOSES),
});
export type StartSessionDto = z.infer<typeof startSessionSchema>;

export const confirmationSchema = z.strictObject({
  /** Whether the person agrees with the validated surname and birth date shown. */
  agrees: z.boolean(),
});

export const sessionIdParam = z.strictObject({ id: z.uuid() });
