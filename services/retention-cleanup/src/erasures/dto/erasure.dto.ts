import { z } from 'zod';

export const erasuresQuery = z.strictObject({
  registrationId: z.uuid().optional(),
  status: z.enum(['SCHEDULED', 'ISSUED', 'COMPLETED']).optional(),
});
export type ErasuresQuery = z.infer<typeof erasuresQuery>;
