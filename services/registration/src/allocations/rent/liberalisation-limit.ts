import { z } from 'zod';
import file from './liberalisation-limits.json';

const limitsSchema = z.object({
  limits: z
    .array(
      z.strictObject({
        validFrom: z.iso.date(),
        limitCents: z.number().int().positive(),
        source: z.string().min(1),
      }),
    )
    .min(1)
    .refine(
      (l) => l.every((e, i) => i === 0 || l[i - 1]!.validFrom < e.validFrom),
      'sorted by validFrom, no repeats',
    ),
});

export type LiberalisationLimit = z.infer<typeof limitsSchema>['limits'][number];

/** The shipped data, validated when the module loads (a bad file stops the service at start, never mid-request). */
export const LIBERALISATION_LIMITS: readonly LiberalisationLimit[] = limitsSchema.parse(file).limits;

/**
 * The liberalisation limit in force on `date` (YYYY-MM-DD): the latest entry from on or before it. A lease after the
 * last entry's year takes that entry until a newer one is added (`latest` says so); a lease before the first entry has
 * none (undefined).
 */
export function liberalisationLimitOn(
  date: string,
  limits: readonly LiberalisationLimit[] = LIBERALISATION_LIMITS,
): (LiberalisationLimit & { latest: boolean }) | undefined {
  let found: LiberalisationLimit | undefined;
  for (const entry of limits) if (entry.validFrom <= date) found = entry;
  return found && { ...found, latest: found === limits[limits.length - 1] };
}
