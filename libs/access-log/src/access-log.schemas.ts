import { z } from 'zod';
import type { AccessLogEntry, AccessLogPage } from './access-log.service';

/**
 * The response shapes of the access log (GET /access-log and the per-resource logs of the services), as zod
 * schemas: the one source of their OpenAPI schemas and of the checks that real responses match. The interfaces in
 * access-log.service.ts stay the code's types; the assertions below fail the typecheck when the two drift apart.
 */
export const accessLogEntrySchema = z.strictObject({
  /** Sequence number of the entry (a bigint, as a decimal string). */
  id: z.string().regex(/^\d+$/),
  occurredAt: z.iso.datetime(),
  kind: z.enum(['ACCESS', 'AUTHENTICATION']),
  /** The caller's subject (token `sub`); null for an unauthenticated request. */
  subject: z.string().nullable(),
  subjectOrganisationId: z.string().nullable(),
  roles: z.array(z.string()),
  action: z.string(),
  /** Why an authentication was refused (kind AUTHENTICATION); null otherwise. */
  outcomeReason: z.string().nullable(),
  resourceType: z.string().nullable(),
  resourceId: z.string().nullable(),
  organisationId: z.uuid().nullable(),
  registrationId: z.uuid().nullable(),
  allocationId: z.uuid().nullable(),
  purpose: z.string().nullable(),
  /** Names of the fields a write changed (never their values). */
  changedFields: z.array(z.string()),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
});

/** A resource's access log (AccessLogService.entriesOf): its newest entries (at most 500), oldest first. */
export const accessLogEntriesSchema = z.array(accessLogEntrySchema);

export const accessLogPageSchema = z.strictObject({
  entries: z.array(accessLogEntrySchema),
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: z.string().nullable(),
});

/** True when A and B are the same type (mutually assignable, property by property). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const entryMatches: Same<AccessLogEntry, z.infer<typeof accessLogEntrySchema>> = true;
const pageMatches: Same<AccessLogPage, z.infer<typeof accessLogPageSchema>> = true;
void entryMatches;
void pageMatches;
