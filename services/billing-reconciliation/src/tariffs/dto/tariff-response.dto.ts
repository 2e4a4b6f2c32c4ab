import { z } from 'zod';
import type { Assert, Describes } from '../../common/schema-describes';
import { tariffSchema, type TariffView } from '../tariffs.service';

/** A tariff in force or planned, with where it comes from. */
export const tariffResponseSchema = tariffSchema
  .extend({
    /** FILE: the shipped data file; ADMIN: set through PUT /tariffs (overrides the file for the same key). */
    source: z.enum(['FILE', 'ADMIN']),
    /** The value is an assumption (the real tariffs are not public): true for file values marked so. */
    assumption: z.boolean(),
  })
  .describe('A date-versioned tariff per issuer and usage unit.');
export type TariffResponse = z.infer<typeof tariffResponseSchema>;

/** GET /tariffs: every tariff, by issuer, unit and start date. */
export const tariffListResponseSchema = z.array(tariffResponseSchema);

type _TariffViewChecked = Assert<Describes<typeof tariffResponseSchema, TariffView>>;
