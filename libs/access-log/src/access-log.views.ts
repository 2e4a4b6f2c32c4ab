import { z } from 'zod';

/** One entry as auditors read it (`GET /access-log`, and the services' per-resource access logs). */
export const accessLogEntryView = z.object({
  /** The entry's sequence number (a bigint, as a decimal string). */
  id: z.string().regex(/^\d+$/),
  occurredAt: z.iso.datetime(),
  kind: z.enum(['ACCESS', 'AUTHENTICATION']),
  /** The caller's subject (a pseudonymous token subject, never a BSN); null when no token was readable. */
  subject: z.string().nullable(),
  subjectOrganisationId: z.string().nullable(),
  roles: z.array(z.string()),
  /** What, in the service's words (e.g. REGISTRATION_READ, STATEMENT_PDF_EXPORTED). */
  action: z.string(),
  /** Why an authentication was refused (AUTHENTICATION entries). */
  outcomeReason: z.string().nullable(),
  resourceType: z.string().nullable(),
  resourceId: z.string().nullable(),
  organisationId: z.string().nullable(),
  registrationId: z.string().nullable(),
  allocationId: z.string().nullable(),
  purpose: z.string().nullable(),
  /** The NAMES of the fields a change touched. */
  changedFields: z.array(z.string()),
  /** Before and after of the changed fields that are not personal (a status, a retention period); never a person's data. */
  changedValues: z.record(
    z.string(),
    z.object({
      from: z.union([z.string(), z.number(), z.boolean(), z.null()]),
      to: z.union([z.string(), z.number(), z.boolean(), z.null()]),
    }),
  ),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
});
export type AccessLogEntry = z.infer<typeof accessLogEntryView>;

export const accessLogPageView = z.object({
  entries: z.array(accessLogEntryView),
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: z.string().nullable(),
});
export type AccessLogPage = z.infer<typeof accessLogPageView>;
