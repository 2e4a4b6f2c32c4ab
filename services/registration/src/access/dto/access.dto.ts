import { z } from 'zod';

/** Roles an organisation's admin or coordinator may grant a named person (never systems' or the operator's). */
export const GRANTABLE_ROLES = ['admin', 'coordinator', 'auditor', 'finance', 'member'] as const;
export type GrantableRole = (typeof GRANTABLE_ROLES)[number];

/**
 * The grantable staff roles: two-factor authentication (OTP) is required for them (seed 002), so an invitation makes
 * CONFIGURE_TOTP due at once. The realm enforces it at every login whatever the required actions say, for these and
 * the other staff roles (fund-chair, fund-cashier, platform-operator), docs/adr/0034.
 */
export const STAFF_ROLES: readonly GrantableRole[] = ['admin', 'coordinator', 'auditor', 'finance'];

const roles = z
  .array(z.enum(GRANTABLE_ROLES))
  .min(1)
  .max(GRANTABLE_ROLES.length)
  .refine((r) => new Set(r).size === r.length, { message: 'roles must be distinct' });

const personName = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[^\p{Cc}\d]+$/u, 'letters, spaces and punctuation only');

export const organisationParams = z.strictObject({ id: z.uuid() });
export const namedUserParams = z.strictObject({ id: z.uuid(), userId: z.uuid() });
export const clientParams = z.strictObject({
  id: z.uuid(),
  clientId: z.string().regex(/^[a-z0-9][a-z0-9._-]{1,99}$/, 'a client id (lower case, digits, . _ -)'),
});

export const inviteUserSchema = z.strictObject({
  username: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z][a-z0-9._-]{2,63}$/, '3-64 characters: letters, digits, . _ -, starting with a letter'),
  email: z.email().max(254).optional(),
  firstName: personName,
  lastName: personName,
  roles,
});
export type InviteUserDto = z.infer<typeof inviteUserSchema>;

export const changeUserSchema = z.strictObject({ roles });
export type ChangeUserDto = z.infer<typeof changeUserSchema>;

export const agreementEndSchema = z.strictObject({
  /** The instant the organisation's agreement ends: every token of it is refused from then on. */
  endsAt: z.iso.datetime({ offset: true }),
});
export type AgreementEndDto = z.infer<typeof agreementEndSchema>;

export const recordReviewSchema = z.strictObject({
  note: z
    .string()
    .trim()
    .max(500)
    .regex(/^[^\p{Cc}]*$/u, 'no control characters')
    .optional(),
});
export type RecordReviewDto = z.infer<typeof recordReviewSchema>;

export const reportQuerySchema = z.strictObject({ format: z.enum(['json', 'pdf']).default('json') });

export const namedUserViewSchema = z.object({
  userId: z.uuid(),
  organisationId: z.uuid(),
  identityProviderUserId: z.string(),
  username: z.string(),
  email: z.string().nullable(),
  roles: z.array(z.string()),
  status: z.enum(['ACTIVE', 'SUSPENDED', 'REMOVED']),
  invitedAt: z.string(),
  invitedBy: z.string(),
  suspendedAt: z.string().nullable(),
  removedAt: z.string().nullable(),
  lastLoginAt: z.string().nullable(),
  requiredActions: z.array(z.string()).optional(),
});
export type NamedUserView = z.infer<typeof namedUserViewSchema>;
export const namedUserListSchema = z.object({
  organisationId: z.uuid(),
  cap: z.object({ maxUsers: z.number().int(), source: z.string() }).nullable(),
  users: z.array(namedUserViewSchema),
});
export type NamedUserList = z.infer<typeof namedUserListSchema>;

export const accessStateViewSchema = z.object({
  scope: z.enum(['USER', 'CLIENT', 'ORGANISATION']),
  scopeId: z.string(),
  organisationId: z.uuid(),
  suspendedFrom: z.string().nullable(),
  tokensIssuedBefore: z.string().nullable(),
  agreementEndsAt: z.string().nullable(),
  reason: z.string(),
  changedAt: z.string(),
});
export type AccessStateView = z.infer<typeof accessStateViewSchema>;

export const accessReviewViewSchema = z.object({
  reviewId: z.uuid(),
  organisationId: z.uuid(),
  reviewedAt: z.string(),
  reviewedBy: z.string(),
  usersReviewed: z.number().int(),
  note: z.string().nullable(),
});
export type AccessReviewView = z.infer<typeof accessReviewViewSchema>;

export const accessReviewReportSchema = z.object({
  organisationId: z.uuid(),
  organisationName: z.string(),
  generatedAt: z.string(),
  maxReviewAgeMonths: z.number().int(),
  lastReview: accessReviewViewSchema.nullable(),
  reviewDueBy: z.string().nullable(),
  reviewOverdue: z.boolean(),
  organisationAccess: accessStateViewSchema.nullable(),
  users: z.array(
    z.object({
      userId: z.uuid(),
      username: z.string(),
      roles: z.array(z.string()),
      status: z.enum(['ACTIVE', 'SUSPENDED', 'REMOVED']),
      invitedAt: z.string(),
      lastLoginAt: z.string().nullable(),
    }),
  ),
});
export type AccessReviewReport = z.infer<typeof accessReviewReportSchema>;
