import { applyDecorators, Get } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { DomainError, registerErrorStatuses } from '../domain-error';
import type { Principal } from '../auth/jwt';
import { Roles } from '../auth/auth.decorators';
import { ApiProblems, ApiResult } from '../openapi/api-decorators';

/**
 * The subject-access request (issue 16 item 7, docs/adr/0032): every service answers
 * `GET /subject-access/{registrationId}` with its section of one person's report, in this shape, so that the six
 * agree and tools/subject-access can assemble them. A section lists what the service holds about the registration
 * and the persons under it, by category; a plain BSN or a BSN hash value is never part of it.
 */
export const SUBJECT_ACCESS_SERVICES = [
  'registration',
  'consent',
  'identity-validation',
  'income-retrieval',
  'billing-reconciliation',
  'retention-cleanup',
] as const;
export type SubjectAccessService = (typeof SUBJECT_ACCESS_SERVICES)[number];

/** The access-log action and purpose every subject-access read is recorded with. */
export const SUBJECT_ACCESS_ACTION = 'SUBJECT_ACCESS_EXPORTED';
export const SUBJECT_ACCESS_PURPOSE = 'SUBJECT_ACCESS';

/** One record: a flat-ish JSON object (ids, states, dates); never a BSN or a hash value. */
export const subjectAccessRecordView = z.record(z.string(), z.unknown());

export const subjectAccessCategoryView = z.object({
  /** Stable machine name, e.g. `registration`, `sharing-sessions`. */
  category: z.string().min(1),
  /** What the category is and why the service keeps it, in plain language. */
  description: z.string().min(1),
  records: z.array(subjectAccessRecordView),
});

export const subjectAccessSectionView = z.object({
  service: z.enum(SUBJECT_ACCESS_SERVICES),
  registrationId: z.uuid(),
  generatedAt: z.iso.datetime(),
  categories: z.array(subjectAccessCategoryView),
});

export type SubjectAccessCategory = z.infer<typeof subjectAccessCategoryView>;
export type SubjectAccessSection = z.infer<typeof subjectAccessSectionView>;

export const subjectAccessParams = z.strictObject({ registrationId: z.uuid() });

/**
 * The roles that may read a section (each service scopes them to the registration's organisation). Not the platform
 * operator: it holds no role that reads personal data (ADR 0014); a subject-access request is answered by the
 * controller, the person's organisation.
 */
export const SUBJECT_ACCESS_ROLES = ['admin', 'auditor'] as const;

type Timestamp = Date | string | null | undefined;

const iso = (t: Timestamp): string | null => (t ? new Date(t).toISOString() : null);

/**
 * Summarises a service's access-log entries about the registration (count, first and last, per action) instead
 * of listing them; the subject-access read itself is recorded after this summary is taken.
 */
export function accessLogSummaryCategory(
  entries: readonly { action: string; occurredAt: Timestamp }[],
): SubjectAccessCategory {
  const byAction = new Map<
    string,
    { action: string; count: number; first: string | null; last: string | null }
  >();
  for (const e of entries) {
    const at = iso(e.occurredAt);
    const row = byAction.get(e.action) ?? { action: e.action, count: 0, first: at, last: at };
    row.count += 1;
    if (at && (!row.first || at < row.first)) row.first = at;
    if (at && (!row.last || at > row.last)) row.last = at;
    byAction.set(e.action, row);
  }
  return {
    category: 'access-log-summary',
    description:
      'Who read, exported or changed data about this registration in this service, summarised per action (count, first and last time); the full entries are in the access log.',
    records: [...byAction.values()].sort((a, b) => a.action.localeCompare(b.action)),
  };
}

/** Dates as ISO strings, undefined as null: records are JSON. */
export function subjectAccessRecord(values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values))
    out[k] = v instanceof Date ? v.toISOString() : v === undefined ? null : v;
  return out;
}

/** Builds a section (generatedAt now), validated against the shared shape. */
export function subjectAccessSection(
  service: SubjectAccessService,
  registrationId: string,
  categories: SubjectAccessCategory[],
): SubjectAccessSection {
  return subjectAccessSectionView.parse({
    service,
    registrationId,
    generatedAt: new Date().toISOString(),
    categories,
  });
}

export type SubjectAccessErrorCode = 'SUBJECT_ACCESS_NOT_FOUND';
registerErrorStatuses({ SUBJECT_ACCESS_NOT_FOUND: 404 } satisfies Record<SubjectAccessErrorCode, number>);

/** The registration is unknown to this service or not the caller's (404 either way: existence does not leak). */
export class SubjectAccessError extends DomainError<SubjectAccessErrorCode> {}

export function subjectNotFound(registrationId: string): SubjectAccessError {
  return new SubjectAccessError('SUBJECT_ACCESS_NOT_FOUND', 'registration not found', { registrationId });
}

/**
 * The caller may read the section when it acts for one of the organisations the service links to the
 * registration (its own organisation, or one a coordinator rule of the service lets it act for), or is the
 * platform operator; anything else is {@link subjectNotFound}.
 */
export function assertSubjectAccess(
  principal: Pick<Principal, 'organisationId' | 'roles'>,
  registrationId: string,
  owners: readonly string[],
  alsoVisible: readonly string[] = [],
): void {
  if (owners.length === 0) throw subjectNotFound(registrationId);
  // The platform operator reads no personal data (ADR 0014): its organisation is `platform`, never an owner.
  const own = principal.organisationId.toLowerCase();
  const visible = new Set([own, ...alsoVisible.map((o) => o.toLowerCase())]);
  if (!owners.some((o) => visible.has(o.toLowerCase()))) throw subjectNotFound(registrationId);
}

/** One category read with one SQL statement whose `$1` is the registration id (aliases become record keys). */
export interface SubjectAccessQuery {
  category: string;
  description: string;
  sql: string;
}

/** Runs each query for the registration, in order; every row becomes a record (dates as ISO strings). */
export async function readSubjectAccessCategories(
  em: EntityManager,
  registrationId: string,
  queries: readonly SubjectAccessQuery[],
): Promise<SubjectAccessCategory[]> {
  const out: SubjectAccessCategory[] = [];
  for (const q of queries) {
    const rows = await em.query<Record<string, unknown>[]>(q.sql, [registrationId]);
    out.push({ category: q.category, description: q.description, records: rows.map(subjectAccessRecord) });
  }
  return out;
}

/**
 * The route of a service's subject-access section, declared once: GET /subject-access/:registrationId (use on a
 * method of a `@Controller('subject-access')`), the roles of {@link SUBJECT_ACCESS_ROLES}, the section schema and
 * the 404. `description` says what this service's section holds.
 */
export function SubjectAccessRoute(description: string): MethodDecorator {
  return applyDecorators(
    Get(':registrationId'),
    Roles(...SUBJECT_ACCESS_ROLES),
    ApiResult(subjectAccessSectionView, { description }),
    ApiProblems('SUBJECT_ACCESS_NOT_FOUND'),
  );
}
