import { z } from 'zod';
import type {
  GenderMarker,
  HouseholdRelation,
  IdentityStatus,
  RegistrationStatus,
} from '../registration.entity';

// The response of every /registrations operation. RegistrationView (registrations.service.ts) is inferred from
// this schema, so the code cannot return another shape without failing the typecheck.

const genderMarkers = ['M', 'V', 'X'] as const satisfies readonly GenderMarker[];
const statuses = ['ACTIVE', 'DEREGISTERED'] as const satisfies readonly RegistrationStatus[];
const identityStatuses = [
  'NOT_STARTED',
  'PENDING',
  'VALIDATED',
  'FAILED',
  'HASH_ERASED',
] as const satisfies readonly IdentityStatus[];
const relations = [
  'PARTNER',
  'CHILD',
  'OTHER_ADULT',
  'OTHER',
] as const satisfies readonly HouseholdRelation[];

export const householdMemberViewSchema = z.strictObject({
  memberId: z.uuid(),
  relation: z.enum(relations),
  surnamePrefix: z.string().nullable(),
  surname: z.string(),
  birthDate: z.iso.date(),
});

export const registrationViewSchema = z.strictObject({
  /** The pseudonymous registration id. */
  registrationId: z.uuid(),
  organisationId: z.uuid(),
  surnamePrefix: z.string().nullable(),
  surname: z.string(),
  birthDate: z.iso.date(),
  genderMarker: z.enum(genderMarkers).nullable(),
  /** Normalised "1234 AB". */
  postcode: z.string().nullable(),
  houseNumber: z.number().int().nullable(),
  houseNumberAddition: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  /** Inschrijfdatum. */
  registrationDate: z.iso.date(),
  status: z.enum(statuses),
  deregisteredAt: z.iso.datetime().nullable(),
  /** The identity check (BSN through identity-validation): never the BSN itself. */
  identity: z.strictObject({
    status: z
      .enum(identityStatuses)
      .describe(
        'HASH_ERASED: the identity was validated, but the hashed BSN has been erased (consent withdrawn, or the ' +
          'digital procedure failed at an allocation); a new check (BSN_FOR_EXISTING_REGISTRATION) is needed ' +
          'before the digital route can be used again. The validated surname and birth date stay.',
      ),
    validatedSurname: z.string().nullable(),
    validatedBirthDate: z.iso.date().nullable(),
  }),
  household: z.array(householdMemberViewSchema),
});

export type RegistrationView = z.infer<typeof registrationViewSchema>;
