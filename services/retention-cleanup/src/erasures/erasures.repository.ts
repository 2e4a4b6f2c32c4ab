import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { DataCategory, ErasureReason, OwningService } from '@divit/contracts';
import type { Outcome, RetentionByOutcome, Trigger } from '../policies/policy';
import type { ErasureStatus } from './scheduled-erasure.entity';

export type Tx = EntityManager;

export interface ErasureRow {
  erasureId: string;
  category: DataCategory;
  targetService: OwningService;
  reason: ErasureReason;
  trigger: Trigger;
  policyId: string;
  organisationId: string | null;
  registrationId: string | null;
  subjectId: string | null;
  allocationId: string | null;
  recordedBefore: Date | null;
  triggerAt: Date;
  dueAt: Date;
  status: ErasureStatus;
  firstSentAt: Date | null;
  lastSentAt: Date | null;
  sendCount: number;
  completedAt: Date | null;
  erasedCount: number | null;
}

export interface NewErasure {
  erasureId: string;
  category: DataCategory;
  targetService: OwningService;
  reason: ErasureReason;
  trigger: Trigger;
  policyId: string;
  organisationId: string | null;
  /** The trigger's outcome, where the policy language knows one (docs/adr/0036). */
  outcome: Outcome | null;
  registrationId: string | null;
  subjectId: string | null;
  allocationId: string | null;
  triggerAt: Date;
  /** ISO-8601 duration added to the trigger time (interval arithmetic in PostgreSQL: calendar months/years). */
  retention: string;
  alignToYearEnd: boolean;
  /** Age-based sweep: erase what was recorded before now - this duration. */
  ageRetention: string | null;
  dedupeKey: string;
}

export interface Ack {
  erasureId: string;
  category: DataCategory;
  targetService: OwningService;
  erasedCount: number;
  completedAt: Date;
}

const COLUMNS = `erasure_id AS "erasureId", category, target_service AS "targetService", reason, "trigger",
  policy_id AS "policyId", organisation_id AS "organisationId", registration_id AS "registrationId",
  subject_id AS "subjectId", allocation_id AS "allocationId", recorded_before AS "recordedBefore",
  trigger_at AS "triggerAt", due_at AS "dueAt", status, first_sent_at AS "firstSentAt",
  last_sent_at AS "lastSentAt", send_count AS "sendCount", completed_at AS "completedAt",
  erased_count::float8 AS "erasedCount"`;

/**
 * No active legal hold covers erasure `s` (subject, category, organisation; lifted or expired holds don't count). An
 * organisation's hold covers only that organisation's erasures; an erasure of no organisation only a platform-wide
 * (operator's) hold, so no tenant can keep another tenant's data past its retention.
 */
export const NOT_HELD = `NOT EXISTS (
  SELECT 1 FROM legal_holds h
  WHERE h.lifted_at IS NULL AND (h.expires_at IS NULL OR h.expires_at > now())
    AND (h.subject_id IS NULL OR h.subject_id = s.registration_id OR h.subject_id = s.subject_id)
    AND (h.category IS NULL OR h.category = s.category)
    AND (h.organisation_id IS NULL OR h.organisation_id = s.organisation_id))`;

/** Due time in SQL: trigger + retention, from the end of the trigger's year (Amsterdam) when aligned. */
const DUE_AT = (trigger: string, retention: string, align: string) => `CASE WHEN ${align}
  THEN ((date_trunc('year', ${trigger} AT TIME ZONE 'Europe/Amsterdam') + interval '1 year') AT TIME ZONE 'Europe/Amsterdam') + ${retention}::interval
  ELSE ${trigger} + ${retention}::interval END`;

/** Rows of an UPDATE ... RETURNING (TypeORM's postgres driver answers UPDATE/DELETE with [rows, count]). */
async function updated<T>(tx: Tx, sql: string, params: unknown[]): Promise<T[]> {
  const result = (await tx.query(sql, params)) as unknown;
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  )
    return result[0] as T[];
  return result as T[];
}

/** The only TypeORM user of the erasures module: set-based SQL, so a sweep of a million rows stays cheap. */
@Injectable()
export class ErasuresRepository {
  constructor(private readonly dataSource: DataSource) {}

  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  get manager(): Tx {
    return this.dataSource.manager;
  }

  /** Inserts erasures; one already scheduled under the same dedupe key is left as it is. Returns the new ids. */
  async insert(tx: Tx, rows: readonly NewErasure[]): Promise<string[]> {
    if (rows.length === 0) return [];
    const params: unknown[] = [];
    const values = rows.map((r) => {
      const p = (v: unknown) => {
        params.push(v);
        return `$${params.length}`;
      };
      const trigger = `${p(r.triggerAt)}::timestamptz`;
      const due = DUE_AT(trigger, `${p(r.retention)}::text`, `${p(r.alignToYearEnd)}::boolean`);
      const recordedBefore = r.ageRetention ? `(${trigger} - ${p(r.ageRetention)}::text::interval)` : 'NULL';
      return `(${p(r.erasureId)}::uuid, ${p(r.category)}, ${p(r.targetService)}, ${p(r.reason)}, ${p(r.trigger)},
        ${p(r.outcome)}::text, ${p(r.policyId)}, ${p(r.organisationId)}::uuid, ${p(r.registrationId)}::uuid, ${p(r.subjectId)}::uuid,
        ${p(r.allocationId)}::uuid, ${recordedBefore}, ${trigger}, ${due}, ${p(r.dedupeKey)})`;
    });
    const inserted = await tx.query<{ erasure_id: string }[]>(
      `INSERT INTO scheduled_erasures (erasure_id, category, target_service, reason, "trigger", outcome, policy_id,
         organisation_id, registration_id, subject_id, allocation_id, recorded_before, trigger_at, due_at, dedupe_key)
       VALUES ${values.join(', ')}
       ON CONFLICT (dedupe_key) DO NOTHING RETURNING erasure_id`,
      params,
    );
    return inserted.map((r) => r.erasure_id);
  }

  /** Marks up to `limit` due, unheld, scheduled erasures (optionally only these ids) issued, and returns them. */
  async claimDue(tx: Tx, limit: number, onlyIds?: readonly string[]): Promise<ErasureRow[]> {
    const params: unknown[] = [limit];
    let filter = '';
    if (onlyIds) {
      if (onlyIds.length === 0) return [];
      params.push(onlyIds);
      filter = `AND s.erasure_id = ANY($2::uuid[])`;
    }
    return updated<ErasureRow>(
      tx,
      `UPDATE scheduled_erasures e
         SET status = 'ISSUED', first_sent_at = now(), last_sent_at = now(), send_count = e.send_count + 1
       WHERE e.erasure_id IN (
         SELECT s.erasure_id FROM scheduled_erasures s
         WHERE s.status = 'SCHEDULED' AND s.due_at <= now() ${filter} AND ${NOT_HELD}
         ORDER BY s.due_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING ${COLUMNS}`,
      params,
    );
  }

  /** Issued erasures not acknowledged within `afterSeconds` of their last send: sent again (same erasure id). */
  async claimUnacknowledged(tx: Tx, afterSeconds: number, limit: number): Promise<ErasureRow[]> {
    return updated<ErasureRow>(
      tx,
      `UPDATE scheduled_erasures e SET last_sent_at = now(), send_count = e.send_count + 1
       WHERE e.erasure_id IN (
         SELECT s.erasure_id FROM scheduled_erasures s
         WHERE s.status = 'ISSUED' AND s.last_sent_at <= now() - make_interval(secs => $1)
         ORDER BY s.last_sent_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING ${COLUMNS}`,
      [afterSeconds, limit],
    );
  }

  /** Whether an age-based erasure of this category/service/organisation is still open (not acknowledged). */
  async openAgeErasure(
    tx: Tx,
    category: DataCategory,
    target: OwningService,
    organisationId: string | null,
    policyId: string,
  ): Promise<boolean> {
    // The policy id tells a category-wide age erasure from a dataset's (ADR 0031).
    const rows = await tx.query<unknown[]>(
      `SELECT 1 FROM scheduled_erasures WHERE "trigger" = 'AGE' AND status <> 'COMPLETED'
         AND category = $1 AND target_service = $2 AND organisation_id IS NOT DISTINCT FROM $3::uuid
         AND policy_id = $4 LIMIT 1`,
      [category, target, organisationId, policyId],
    );
    return rows.length > 0;
  }

  /**
   * Moves the due time of waiting lifecycle erasures of one organisation and category to a new retention: each by its
   * own outcome when the policy has a retention per outcome (docs/adr/0036), else (no outcome recorded) `retention`.
   */
  async reschedule(
    tx: Tx,
    category: DataCategory,
    organisationId: string,
    retention: string,
    retentionByOutcome: RetentionByOutcome | null,
    alignToYearEnd: boolean,
    policyId: string,
  ): Promise<number> {
    const rows = await updated<unknown>(
      tx,
      `UPDATE scheduled_erasures
         SET due_at = ${DUE_AT('trigger_at', `coalesce($6::jsonb ->> outcome, $3::text)`, '$4::boolean')}, policy_id = $5
       WHERE status = 'SCHEDULED' AND category = $1 AND organisation_id = $2::uuid
         AND "trigger" NOT IN ('AGE', 'CONSENT_WITHDRAWN', 'PROCEDURE_FAILED')
       RETURNING 1`,
      [
        category,
        organisationId,
        retention,
        alignToYearEnd,
        policyId,
        JSON.stringify(retentionByOutcome ?? {}),
      ],
    );
    return rows.length;
  }

  /**
   * Applies acknowledgements: erasures become COMPLETED and each gets its deletion-log row (once). Returns the
   * ids that matched an erasure of this service and category (already completed ones included).
   */
  async acknowledge(tx: Tx, acks: readonly Ack[]): Promise<Set<string>> {
    if (acks.length === 0) return new Set();
    const ids = acks.map((a) => a.erasureId);
    const known = await tx.query<{ erasureId: string }[]>(
      `SELECT s.erasure_id AS "erasureId" FROM scheduled_erasures s
       JOIN unnest($1::uuid[], $2::text[], $3::text[]) AS a(erasure_id, category, target_service)
         ON a.erasure_id = s.erasure_id AND a.category = s.category AND a.target_service = s.target_service`,
      [ids, acks.map((a) => a.category), acks.map((a) => a.targetService)],
    );
    const matched = new Set(known.map((k) => k.erasureId));
    const ok = acks.filter((a) => matched.has(a.erasureId));
    if (ok.length === 0) return matched;
    const args = [
      ok.map((a) => a.erasureId),
      ok.map((a) => a.erasedCount),
      ok.map((a) => a.completedAt.toISOString()),
    ];
    await tx.query(
      `WITH a AS (SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::timestamptz[]) AS a(erasure_id, erased_count, completed_at)),
       done AS (
         UPDATE scheduled_erasures s SET status = 'COMPLETED', completed_at = a.completed_at, erased_count = a.erased_count
         FROM a WHERE s.erasure_id = a.erasure_id AND s.status <> 'COMPLETED'
         RETURNING s.*)
       INSERT INTO deletion_log (erasure_id, category, target_service, reason, policy_id, subject_pseudonym,
         organisation_id, allocation_id, recorded_before, requested_at, completed_at, erased_count)
       SELECT erasure_id, category, target_service, reason, policy_id, coalesce(subject_id, registration_id),
         organisation_id, allocation_id, recorded_before, coalesce(first_sent_at, due_at), completed_at, erased_count
       FROM done
       ON CONFLICT (erasure_id) DO NOTHING`,
      args,
    );
    return matched;
  }

  async list(filter: {
    registrationId?: string;
    status?: ErasureStatus;
    /** Only these organisations' erasures (an organisation's admin or auditor, a coordinator's). */
    organisationIds?: string[];
    limit: number;
  }): Promise<(ErasureRow & { held: boolean })[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.organisationIds !== undefined) {
      params.push(filter.organisationIds);
      where.push(`organisation_id = ANY($${params.length}::uuid[])`);
    }
    if (filter.registrationId) {
      params.push(filter.registrationId);
      where.push(`(registration_id = $${params.length} OR subject_id = $${params.length})`);
    }
    if (filter.status) {
      params.push(filter.status);
      where.push(`status = $${params.length}`);
    }
    params.push(filter.limit);
    return this.dataSource.query<(ErasureRow & { held: boolean })[]>(
      `SELECT ${COLUMNS}, (s.status = 'SCHEDULED' AND NOT ${NOT_HELD}) AS held FROM scheduled_erasures s
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY due_at, erasure_id LIMIT $${params.length}`,
      params,
    );
  }

  /** Due, not acknowledged, not held, and past the threshold. */
  async overdue(thresholdSeconds: number, limit: number, organisationIds?: string[]): Promise<ErasureRow[]> {
    return this.dataSource.query<ErasureRow[]>(
      `SELECT ${COLUMNS} FROM scheduled_erasures s
       WHERE s.status <> 'COMPLETED' AND s.due_at <= now() - make_interval(secs => $1) AND ${NOT_HELD}
         AND ($3::uuid[] IS NULL OR s.organisation_id = ANY($3::uuid[]))
       ORDER BY s.due_at LIMIT $2`,
      [thresholdSeconds, limit, organisationIds ?? null],
    );
  }

  async counts(
    thresholdSeconds: number,
  ): Promise<{ overdue: number; scheduled: number; issued: number; held: number }> {
    const [row] = await this.dataSource.query<
      { overdue: number; scheduled: number; issued: number; held: number }[]
    >(
      `SELECT
         count(*) FILTER (WHERE s.status <> 'COMPLETED' AND s.due_at <= now() - make_interval(secs => $1) AND ${NOT_HELD})::int AS overdue,
         count(*) FILTER (WHERE s.status = 'SCHEDULED')::int AS scheduled,
         count(*) FILTER (WHERE s.status = 'ISSUED')::int AS issued,
         count(*) FILTER (WHERE s.status = 'SCHEDULED' AND s.due_at <= now() AND NOT ${NOT_HELD})::int AS held
       FROM scheduled_erasures s WHERE s.status <> 'COMPLETED'`,
      [thresholdSeconds],
    );
    return row ?? { overdue: 0, scheduled: 0, issued: 0, held: 0 };
  }

  /** Whether an active (not lifted, not expired) hold covers the whole category. */
  async categoryHeld(tx: Tx, category: string): Promise<boolean> {
    const held = await tx.query<unknown[]>(
      `SELECT 1 FROM legal_holds WHERE category = $1 AND lifted_at IS NULL
         AND (expires_at IS NULL OR expires_at > now()) LIMIT 1`,
      [category],
    );
    return held.length > 0;
  }

  async advisoryLock(tx: Tx, id: number): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock($1)`, [id]);
  }
}
