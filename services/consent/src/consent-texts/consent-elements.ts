import { z } from 'zod';
import type { ConsentPurpose } from '@divit/contracts';
import { plainText } from '@divit/service-kit';

/**
 * The minimum information DIV-it 1.2.2 requires in a consent request, one named, structured part per element.
 * A text missing any of them (or with a part that does not say what it must) cannot be published.
 */
export const REQUIRED_ELEMENTS = [
  /** The income test is a legal duty and needs surname, birth date and income (`data` lists them). */
  'legalDuty',
  /** Sharing is safe and runs over a secure government connection. */
  'secureGovernmentConnection',
  /** DigiD login at MijnOverheid, which asks to share the BSN (and income at allocation: `sharedData`). */
  'digidAtMijnOverheid',
  /** The BSN is used only to check surname and birth date against government records. */
  'bsnOnlyForSurnameAndBirthDateCheck',
  /** After a match the BSN becomes an unreadable code (hash); the government-known surname and birth date are stored. */
  'bsnHashedAndVerifiedDataStored',
  /** The data is reused at allocation. */
  'reuseAtAllocation',
  /** Voluntary, no effect on the chance of a home, withdrawable any time without effect on registration time. */
  'voluntaryAndWithdrawable',
  /** Who is responsible (controller) and how to reach them; the controller organisations come from the route. */
  'controllerIdentity',
  /**
   * The person's rights under the GDPR and how to use them: access, rectification, erasure, objection, and a
   * complaint (to the controller's data protection officer or the Autoriteit Persoonsgegevens). Issue 16 item 7.
   */
  'dataSubjectRights',
] as const;

/** The rights the `dataSubjectRights` element must name (GDPR articles 15, 16, 17, 21 and 77). */
export const DATA_SUBJECT_RIGHTS = ['ACCESS', 'RECTIFICATION', 'ERASURE', 'OBJECTION', 'COMPLAINT'] as const;

export type ElementName = (typeof REQUIRED_ELEMENTS)[number];

/** Shown to the person: line breaks allowed, other control characters (NUL, escape, …) refused. */
const text = plainText({ max: 4000, multiline: true });

export const elementSchemas = {
  legalDuty: z.strictObject({
    text,
    data: z.array(z.enum(['SURNAME', 'BIRTH_DATE', 'INCOME'])).min(1),
  }),
  secureGovernmentConnection: z.strictObject({ text }),
  digidAtMijnOverheid: z.strictObject({
    text,
    sharedData: z.array(z.enum(['BSN', 'INCOME'])).min(1),
  }),
  bsnOnlyForSurnameAndBirthDateCheck: z.strictObject({ text }),
  bsnHashedAndVerifiedDataStored: z.strictObject({ text }),
  reuseAtAllocation: z.strictObject({ text }),
  voluntaryAndWithdrawable: z.strictObject({
    text,
    noEffectOnChanceOfHome: z.boolean(),
    withdrawableAnyTime: z.boolean(),
    noEffectOnRegistrationTime: z.boolean(),
  }),
  controllerIdentity: z.strictObject({
    text,
    /** How to contact the controller (privacy desk, data protection officer). */
    contact: plainText({ max: 500 }),
  }),
  dataSubjectRights: z.strictObject({
    text,
    /** The rights the text names; all of DATA_SUBJECT_RIGHTS must be there. */
    rights: z.array(z.enum(DATA_SUBJECT_RIGHTS)).min(1),
    /** How to exercise them (a web page, an address) and where to complain. */
    howToExercise: plainText({ max: 500 }),
  }),
} satisfies Record<ElementName, z.ZodType>;

export type ConsentElements = { [K in ElementName]: z.infer<(typeof elementSchemas)[K]> };

/** Draft elements: every part optional (a draft may be incomplete); present parts must be well-formed. */
export const draftElementsSchema = z.strictObject(
  Object.fromEntries(REQUIRED_ELEMENTS.map((name) => [name, elementSchemas[name].optional()])) as {
    [K in ElementName]: z.ZodOptional<(typeof elementSchemas)[K]>;
  },
);

export interface ElementProblem {
  element: ElementName;
  reason: string;
}

/**
 * Every required element that is missing or does not say what the standard requires, in the order of
 * {@link REQUIRED_ELEMENTS}. Empty means the text may be published.
 */
export function missingElements(
  elements: Partial<ConsentElements>,
  purpose: ConsentPurpose,
): ElementProblem[] {
  const problems: ElementProblem[] = [];
  const atAllocation = purpose === 'BSN_AND_INCOME_AT_ALLOCATION';
  for (const name of REQUIRED_ELEMENTS) {
    const parsed = elementSchemas[name].safeParse(elements[name]);
    if (!parsed.success) {
      problems.push({ element: name, reason: elements[name] === undefined ? 'missing' : 'incomplete' });
      continue;
    }
  }
  const present = new Set(problems.map((p) => p.element));
  const legal = elements.legalDuty;
  if (legal && !present.has('legalDuty')) {
    const needed = ['SURNAME', 'BIRTH_DATE', 'INCOME'] as const;
    const absent = needed.filter((d) => !legal.data.includes(d));
    if (absent.length)
      problems.push({ element: 'legalDuty', reason: `must name the data ${absent.join(', ')}` });
  }
  const digid = elements.digidAtMijnOverheid;
  if (digid && !present.has('digidAtMijnOverheid')) {
    const needed = atAllocation ? (['BSN', 'INCOME'] as const) : (['BSN'] as const);
    const absent = needed.filter((d) => !digid.sharedData.includes(d));
    if (absent.length)
      problems.push({
        element: 'digidAtMijnOverheid',
        reason: `must say MijnOverheid asks to share ${absent.join(', ')}`,
      });
    if (!atAllocation && digid.sharedData.includes('INCOME'))
      problems.push({ element: 'digidAtMijnOverheid', reason: 'income is not shared for this purpose' });
  }
  const voluntary = elements.voluntaryAndWithdrawable;
  if (voluntary && !present.has('voluntaryAndWithdrawable')) {
    const flags = ['noEffectOnChanceOfHome', 'withdrawableAnyTime', 'noEffectOnRegistrationTime'] as const;
    const unsaid = flags.filter((f) => !voluntary[f]);
    if (unsaid.length)
      problems.push({ element: 'voluntaryAndWithdrawable', reason: `must state ${unsaid.join(', ')}` });
  }
  const rights = elements.dataSubjectRights;
  if (rights && !present.has('dataSubjectRights')) {
    const unnamed = DATA_SUBJECT_RIGHTS.filter((r) => !rights.rights.includes(r));
    if (unnamed.length)
      problems.push({ element: 'dataSubjectRights', reason: `must name the rights ${unnamed.join(', ')}` });
  }
  return REQUIRED_ELEMENTS.flatMap((name) => problems.filter((p) => p.element === name));
}
