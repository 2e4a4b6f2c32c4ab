import { z } from 'zod';

/** POST /registration-merges: the duplicate is merged into the survivor. */
export const mergeRequestSchema = z.strictObject({
  survivorRegistrationId: z.uuid(),
  duplicateRegistrationId: z.uuid(),
});
export type MergeRequest = z.infer<typeof mergeRequestSchema>;

/** The answer (200): what the merge did. */
export const mergeResultSchema = z.strictObject({
  survivorRegistrationId: z.uuid(),
  /** Now DEREGISTERED (announced as RegistrationDeregistered). */
  duplicateRegistrationId: z.uuid(),
  /** The duplicate's concordance rows (imported dossiers) now pointing to the survivor. */
  dossiersMoved: z.number().int().min(0),
  /** The survivor's registration date after the merge: the earlier of the two. */
  registrationDate: z.iso.date(),
});
export type MergeResult = z.infer<typeof mergeResultSchema>;
