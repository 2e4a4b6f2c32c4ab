import { EntityManager } from 'typeorm';

/** The scope of an access-log erasure (retention or a subject's erasure), as in an ErasureRequested command. */
export interface AccessLogErasureScope {
  /** Entries recorded before this instant (epoch ms, ISO-8601 string or Date). */
  recordedBefore?: number | string | Date | null;
  /** Entries by or about this organisation. */
  organisationId?: string | null;
  registrationId?: string | null;
  allocationId?: string | null;
  /**
   * A person below the registration: the log records no person, so their scope is their registration's log
   * (as the services did before the shared library). Used only when `registrationId` is absent.
   */
  subjectId?: string | null;
}

export class AccessLogErasureScopeMissing extends Error {
  constructor() {
    super(
      'an access-log erasure needs a cut-off, a registration or an allocation (an organisation alone is no scope)',
    );
    this.name = 'AccessLogErasureScopeMissing';
  }
}

/**
 * Erases access-log entries through `erase_access_log_entries()`, the only way rows leave the append-only table.
 * Throws AccessLogErasureScopeMissing (before touching the database) when nothing but (at most) an organisation
 * scopes it; the database function refuses the same.
 */
export async function eraseAccessLog(em: EntityManager, scope: AccessLogErasureScope): Promise<number> {
  const before =
    scope.recordedBefore === null || scope.recordedBefore === undefined
      ? null
      : new Date(scope.recordedBefore);
  const registration = scope.registrationId ?? scope.subjectId ?? null;
  const organisation = scope.organisationId ?? null;
  const allocation = scope.allocationId ?? null;
  // As the erasure protocol (erasureScope in @divit/service-kit, ADR 0019): an organisation alone would erase the
  // organisation's whole log, which no retention rule asks for; it only narrows another field.
  if (!before && !registration && !allocation) throw new AccessLogErasureScopeMissing();
  const rows = await em.query<{ n: string }[]>(`SELECT erase_access_log_entries($1, $2, $3, $4) AS n`, [
    before,
    organisation,
    registration,
    allocation,
  ]);
  return Number(rows[0]?.n ?? 0);
}
