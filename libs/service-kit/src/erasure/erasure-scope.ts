import { EntityManager } from 'typeorm';
import type { ErasureRequested } from '@divit/contracts';
import { PermanentHandlerError } from '@divit/messaging';
import { ERASURE_ERROR_CODES } from './erasure-errors';

/** What one erasure command limits the erasure to: every non-null field narrows it (AND). */
export interface ErasureScope {
  organisationId: string | null;
  registrationId: string | null;
  /** A person: the registration id for the home seeker, the member id for a co-resident. */
  subjectId: string | null;
  allocationId: string | null;
  /** The cut-off of an age sweep: records recorded before it. */
  recordedBefore: Date | null;
}

/**
 * The scope of a command, or a permanent refusal (`ERASURE_UNSCOPED`, dead-lettered with that reason) when it
 * has neither a subject-level field (registration, subject, allocation) nor a cut-off. An organisation alone
 * is no scope: it would erase the whole category of that organisation, which no retention rule asks for.
 */
export function erasureScope(command: ErasureRequested): ErasureScope {
  const scope: ErasureScope = {
    organisationId: command.organisationId ?? null,
    registrationId: command.registrationId ?? null,
    subjectId: command.subjectId ?? null,
    allocationId: command.allocationId ?? null,
    recordedBefore:
      command.recordedBefore === null || command.recordedBefore === undefined
        ? null
        : new Date(command.recordedBefore),
  };
  if (!scope.registrationId && !scope.subjectId && !scope.allocationId && !scope.recordedBefore)
    throw new PermanentHandlerError(
      ERASURE_ERROR_CODES.ERASURE_UNSCOPED,
      `erasure ${command.erasureId} (${command.category}) names no registration, subject, allocation or cut-off; ` +
        'an unscoped command would erase the whole category and is refused',
    );
  return scope;
}

/** The columns (SQL templates, `$?` standing for the value) by which one table can be limited to a scope. */
export type ScopeColumns = Partial<
  Record<'organisation' | 'registration' | 'subject' | 'allocation' | 'recordedBefore', string>
>;

/**
 * A WHERE condition limiting one table to `scope`: each non-null scope field becomes its column's template with
 * `$?` replaced by the next parameter number (after `firstParam - 1` parameters of the caller). A field that is
 * set but that the table has no column for matches nothing (`false`): a table that cannot tell whether a row
 * belongs to the scope erases none of it.
 */
export function scopeWhere(
  scope: ErasureScope,
  columns: ScopeColumns,
  firstParam = 1,
): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  const add = (template: string | undefined, value: unknown) => {
    if (value === null || value === undefined) return;
    if (template === undefined) {
      parts.push('false');
      return;
    }
    params.push(value);
    parts.push(`(${template.replace(/\$\?/g, `$${firstParam + params.length - 1}`)})`);
  };
  add(columns.organisation, scope.organisationId);
  add(columns.registration, scope.registrationId);
  add(columns.subject, scope.subjectId);
  add(columns.allocation, scope.allocationId);
  add(columns.recordedBefore, scope.recordedBefore);
  // erasureScope() guarantees at least one field; `false` keeps a caller that skipped it from erasing everything.
  return { sql: parts.length > 0 ? parts.join(' AND ') : 'false', params };
}

/**
 * Rows changed by one `DELETE … RETURNING 1` or `UPDATE … RETURNING 1`, counted in SQL (the driver's raw result
 * differs per statement kind).
 */
export async function erasedRows(tx: EntityManager, statement: string, params: unknown[]): Promise<number> {
  const rows = await tx.query<{ n: number }[]>(
    `WITH erased AS (${statement}) SELECT count(*)::int AS n FROM erased`,
    params,
  );
  return Number(rows[0]?.n ?? 0);
}
