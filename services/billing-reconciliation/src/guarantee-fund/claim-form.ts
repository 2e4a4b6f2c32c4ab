/**
 * The guarantee fund's one fixed claim form (Woonkans agreement article 7 lid 10, annex 3 §2-3) and its checks
 * (pure): completeness is the schema; the agreement's conditions are evaluated and recorded, so the chair sees
 * them and may deviate only with a recorded justification (article 7 lid 9).
 *
 * A claim never holds a client's name or BSN: the case is named by a pseudonymous reference of a fixed shape, the
 * supporting documents by references of a restricted alphabet (no spaces), and any nine-digit number that passes
 * the BSN eleven-test in any text of the form is refused (CLAIM_PERSONAL_DATA).
 */
import { z } from 'zod';
import { passesElevenTest, plainText } from '@divit/service-kit';
import { isoDate } from '../common/dates';

export const CLAIM_CATEGORIES = ['RENT_LOSS', 'REPAIR_MUTATION', 'LEGAL', 'EVICTION_COSTS'] as const;
export type ClaimCategory = (typeof CLAIM_CATEGORIES)[number];
export const TENANCY_ENDS = ['EVICTION', 'DEPARTURE', 'OTHER'] as const;

/** A pseudonymous case reference: 2-10 capitals, a year, a number (e.g. WK-2026-0017). No names fit it. */
export const CASE_REFERENCE = /^[A-Z]{2,10}-(19|20|21)\d{2}-\d{1,6}$/;
/** A supporting document's reference in the parties' own systems (no spaces, so no "first last" name). */
export const DOCUMENT_REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._/:#-]{0,119}$/;

/** The most one claim may ask (cents): € 1,000,000, far above any fund's balance. */
export const CLAIM_MAX_CENTS = 100_000_000;

const cents = z.number().int().min(0).max(CLAIM_MAX_CENTS);

export const claimFormSchema = z
  .strictObject({
    partyId: z.uuid().describe('The claiming party of the fund (usually the letting corporation).'),
    caseReference: z
      .string()
      .regex(CASE_REFERENCE, 'a pseudonymous case reference such as WK-2026-0017 (never a name or BSN)')
      .describe('Pseudonymous case reference, e.g. WK-2026-0017. Never a name or BSN.'),
    tenancyEnd: z
      .enum(TENANCY_ENDS)
      .describe('How the tenancy ended: EVICTION or DEPARTURE meet the condition; OTHER does not.'),
    tenancyEndedOn: isoDate,
    amountCents: cents.min(1).describe('The amount claimed, euro cents: the sum of the categories.'),
    depositCents: cents.describe("The dwelling's deposit (borg), euro cents; the claim must exceed it."),
    categories: z
      .array(z.strictObject({ category: z.enum(CLAIM_CATEGORIES), amountCents: cents.min(1) }))
      .min(1)
      .max(CLAIM_CATEGORIES.length)
      .describe('Costs per category (rent loss, repair/mutation, legal, eviction costs), each at most once.'),
    documents: z
      .array(
        z
          .string()
          .regex(DOCUMENT_REFERENCE, 'a document reference: letters, digits, . _ / : # - (no spaces)'),
      )
      .min(1)
      .max(50)
      .describe('References of the supporting documents (no content, no names).'),
    evaluation: plainText({ max: 2000, multiline: true })
      .optional()
      .describe('The evaluation of the negative ending (annex 3 §2); no personal data.'),
  })
  .superRefine((form, ctx) => {
    const seen = new Set<string>();
    for (const [i, c] of form.categories.entries()) {
      if (seen.has(c.category))
        ctx.addIssue({
          code: 'custom',
          path: ['categories', i, 'category'],
          message: 'category listed twice',
        });
      seen.add(c.category);
    }
    const sum = form.categories.reduce((a, c) => a + c.amountCents, 0);
    if (sum !== form.amountCents)
      ctx.addIssue({
        code: 'custom',
        path: ['amountCents'],
        message: `must equal the sum of the categories (${sum})`,
      });
  });
export type ClaimForm = z.infer<typeof claimFormSchema>;

export type ConditionFailure = 'TENANCY_NOT_ENDED_BY_EVICTION_OR_DEPARTURE' | 'AMOUNT_NOT_ABOVE_DEPOSIT';

/** The agreement's conditions (annex 3 §2) the claim does not meet; empty when it meets them all. */
export function conditionFailures(form: Pick<ClaimForm, 'tenancyEnd' | 'amountCents' | 'depositCents'>) {
  const failures: ConditionFailure[] = [];
  if (form.tenancyEnd !== 'EVICTION' && form.tenancyEnd !== 'DEPARTURE')
    failures.push('TENANCY_NOT_ENDED_BY_EVICTION_OR_DEPARTURE');
  if (!(form.amountCents > form.depositCents)) failures.push('AMOUNT_NOT_ABOVE_DEPOSIT');
  return failures;
}

/** Whether a nine-digit string passes the BSN eleven-test (the platform's one implementation). */
export const isBsnLike = passesElevenTest;

/** The fields whose text holds a BSN-like number (nine digits, alone or between non-digits). */
export function bsnLikeFields(texts: Readonly<Record<string, string | undefined>>): string[] {
  const found: string[] = [];
  for (const [field, text] of Object.entries(texts)) {
    if (!text) continue;
    // As written, and with the dots and spaces of "1234.56.782" or "123 456 782" taken out (not hyphens: the
    // case reference's year and number are separated by one).
    const runs = [
      ...(text.match(/\d+/g) ?? []),
      ...(text.replace(/(?<=\d)[ .](?=\d)/g, '').match(/\d+/g) ?? []),
    ];
    if (runs.some((r) => r.length === 9 && isBsnLike(r))) found.push(field);
  }
  return found;
}
