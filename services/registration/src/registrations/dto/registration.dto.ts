import { z } from 'zod';
import { isoDate, todayInAmsterdam } from '../../common/calendar-date';

export { todayInAmsterdam };

function ageOn(birthDate: string, on: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [y, m, d] = on.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

const notInFuture = (label: string) =>
  isoDate.refine((v) => v <= todayInAmsterdam(), `${label} cannot be in the future`);

/** Letters (any script, with diacritics), spaces, hyphens, apostrophes and dots; e.g. "Çelik-Van 't Hof". */
const surname = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^\p{L}[\p{L}\p{M}' .-]*$/u, 'only letters, spaces, hyphens, apostrophes and dots');
const surnamePrefix = z
  .string()
  .trim()
  .min(1)
  .max(20)
  .regex(/^[\p{L}\p{M}' ]+$/u, 'only letters, spaces and apostrophes, e.g. "van der"');

/** Dutch postcode: 4 digits (not starting with 0), 2 letters (not SA, SD, SS); normalised to "1234 AB". */
export const postcode = z
  .string()
  .trim()
  .transform((v) => v.toUpperCase().replace(/\s+/g, ''))
  .refine((v) => /^[1-9][0-9]{3}(?!SA|SD|SS)[A-Z]{2}$/.test(v), 'expected a Dutch postcode like 1234 AB')
  .transform((v) => `${v.slice(0, 4)} ${v.slice(4)}`);

const householdMember = z.strictObject({
  relation: z.enum(['PARTNER', 'CHILD', 'OTHER_ADULT', 'OTHER']),
  surnamePrefix: surnamePrefix.optional(),
  surname,
  birthDate: notInFuture('birth date').refine((v) => ageOn(v, todayInAmsterdam()) <= 120, 'age above 120'),
});

const seekerBirthDate = notInFuture('birth date').refine((v) => {
  const age = ageOn(v, todayInAmsterdam());
  return age >= 15 && age <= 120;
}, 'the home seeker must be between 15 and 120 years old');

const fields = {
  surnamePrefix: surnamePrefix.optional(),
  surname,
  birthDate: seekerBirthDate,
  /** Gender marker as in the passport (M/V/X); used only for the BSN check, then deleted. */
  genderMarker: z.enum(['M', 'V', 'X']).optional(),
  postcode: postcode.optional(),
  houseNumber: z.number().int().min(1).max(99999).optional(),
  houseNumberAddition: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9-]{1,10}$/, 'letters, digits and hyphens, at most 10')
    .optional(),
  email: z.email().max(254).optional(),
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9][0-9 -]{5,18}$/, 'expected a phone number like +31 6 12345678')
    .optional(),
};

export const createRegistrationSchema = z
  .strictObject({
    /** Defaults to the caller's organisation. */
    organisationId: z.uuid().optional(),
    ...fields,
    /** Inschrijfdatum; defaults to today. */
    registrationDate: notInFuture('registration date').optional(),
    household: z.array(householdMember).max(15).default([]),
  })
  .refine((v) => v.houseNumber === undefined || v.postcode !== undefined, {
    path: ['postcode'],
    message: 'required when a house number is given',
  })
  .refine((v) => v.houseNumberAddition === undefined || v.houseNumber !== undefined, {
    path: ['houseNumber'],
    message: 'required when a house number addition is given',
  })
  .refine((v) => v.registrationDate === undefined || v.registrationDate >= v.birthDate, {
    path: ['registrationDate'],
    message: 'must not be before birthDate',
  });

export type CreateRegistrationDto = z.infer<typeof createRegistrationSchema>;

/** Fields that may change; the registration date and organisation never change through the API. */
export const updateRegistrationSchema = z
  .strictObject({
    surnamePrefix: surnamePrefix.nullable().optional(),
    surname: surname.optional(),
    birthDate: seekerBirthDate.optional(),
    genderMarker: z.enum(['M', 'V', 'X']).nullable().optional(),
    postcode: postcode.nullable().optional(),
    houseNumber: z.number().int().min(1).max(99999).nullable().optional(),
    houseNumberAddition: fields.houseNumberAddition.nullable(),
    email: z.email().max(254).nullable().optional(),
    phone: fields.phone.nullable(),
    household: z.array(householdMember).max(15).optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: 'nothing to update' });

export type UpdateRegistrationDto = z.infer<typeof updateRegistrationSchema>;

export const registrationIdParam = z.strictObject({ id: z.uuid() });

/** Why personal data is read (recorded in the access log). */
export const accessPurposeQuery = z.strictObject({
  purpose: z.enum(['CASE_HANDLING', 'ALLOCATION', 'AUDIT', 'SEEKER_REQUEST']).default('CASE_HANDLING'),
});
