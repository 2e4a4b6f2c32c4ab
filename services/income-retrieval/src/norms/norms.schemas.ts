import { z } from 'zod';
import { normSetFields } from './norms';

// The responses of /norms. The types of norms.service.ts are inferred from these schemas.

/** Where a norm set in force comes from: a shipped file, or published by the platform operator at run time. */
export const normSourceSchema = z.enum(['FILE', 'OPERATOR']);

/** A norm set in force (without the file's `$comment`), with where it comes from. */
export const normSetInForceSchema = normSetFields.omit({ $comment: true }).extend({
  source: normSourceSchema,
  /** When the platform operator published it; null for a shipped file. */
  publishedAt: z.iso.datetime().nullable(),
});

/** GET /norms: every norm set in force, by validFrom. */
export const normSetsInForceSchema = z.array(normSetInForceSchema);

/** PUT /norms/{leaseYear}. */
export const publishedNormsSchema = z.strictObject({
  leaseYear: z.number().int(),
  version: z.string(),
  source: normSourceSchema,
  /** false when the same set was already in force (a repeated PUT): nothing changed. */
  created: z.boolean(),
  /** Allocations that were waiting for this year's norms when they were published (decided right after). */
  awaitingAllocations: z.number().int().min(0),
});

export type NormSource = z.infer<typeof normSourceSchema>;
export type NormSetInForce = z.infer<typeof normSetInForceSchema>;
export type PublishedNorms = z.infer<typeof publishedNormsSchema>;
