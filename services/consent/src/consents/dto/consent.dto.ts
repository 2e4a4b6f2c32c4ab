import { z } from 'zod';

export const answerSchema = z.strictObject({
  showingId: z.uuid(),
  answer: z.enum(['GRANTED', 'REFUSED']),
});
export type AnswerDto = z.infer<typeof answerSchema>;

export const consentIdParam = z.strictObject({ id: z.uuid() });
