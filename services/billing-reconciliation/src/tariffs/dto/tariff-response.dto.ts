import { z } from 'zod';
import type { Assert, Describes } from '@divit/service-kit';
import { tariffSchema, type TariffView } from '../tariffs.service';

/** A tariff in force or planned, with where it comes from. */
export const tariffResponseSchema = z
  .object({
    ...tariffSchema.shape,
    source: z
      .enum(['FILE', 'ADMIN'])
      .describe('FILE: the shipped data file; ADMIN: set through PUT /tariffs (overrides the file).'),
    assumption: z
      .boolean()
      .describe('The value is an assumption (the real tariffs are not public), as the data file marks it.'),
  })
  .meta({
    id: 'Tariff',
    description:
      'A date-versioned tariff per issuer and usage unit; unitPriceMillicents in thousandths of a euro cent.',
  });
export type TariffResponse = z.infer<typeof tariffResponseSchema>;

/** GET /tariffs: every tariff, by issuer, unit and start date. */
export const tariffListResponseSchema = z.array(tariffResponseSchema);

type _TariffViewChecked = Assert<Describes<typeof tariffResponseSchema, TariffView>>;
