import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { AccessScope } from '@divit/service-kit';

export interface NamedUserRow {
  id: string;
  organisation_id: string;
  idp_user_id: string;
  username: string;
  email: string | null;
  roles: string[];
  status: 'ACTIVE' | 'SUSPENDED' | 'REMOVED';
  invited_at: Date;
  invited_by: string;
  suspended_at: Date | null;
  removed_at: Date | null;
  last_login_at: Date | null;
}

export interface AccessStateRow {
  scope: AccessScope;
  scope_id: string;
  organisation_id: string;
  suspended_from: Date | null;
  tokens_issued_before: Date | null;
  agreement_ends_at: Date | null;
  reason: string;
  changed_at: Date;
}

export interface AccessStateInput {
  scope: AccessScope;
  scopeId: string;
  organisationId: string;
  suspendedFrom: Date | null;
  tokensIssuedBefore: Date | null;
  agreementEndsAt?: Date | null;
  reason: string;
  changedAt: Date;
}

export interface ReviewRow {
  id: string;
  organisation_id: string;
  reviewed_at: Date;
  reviewed_by: string;
  users_reviewed: number;
  note: string | null;
}

/** SQL: the instant from which organisation `o`'s review is due (its last review, else its first invitation). */
const DUE_BASIS = `COALESCE(
    (SELECT max(r.reviewed_at) FROM access_reviews r WHERE r.organisation_id = o.id),
    (SELECT min(u.invited_at) FROM named_users u WHERE u.organisation_id = o.id))`;
const HAS_USERS = `EXISTS (SELECT 1 FROM named_users u WHERE u.organisation_id = o.id AND u.status <> 'REMOVED')`;

/**
 * Named users, caps, access states and access reviews (docs/adr/0030; tables of
 * NamedUsersAndAccess1767000000000). A caller inside a transaction passes its manager.
 */
@Injectable()
export class AccessRepository {
  constructor(private readonly dataSource: DataSource) {}

  private em(tx?: EntityManager): EntityManager {
    return tx ?? this.dataSource.manager;
  }

  async organisationExists(organisationId: string, tx?: EntityManager): Promise<boolean> {
    const rows = await this.em(tx).query<unknown[]>(`SELECT 1 FROM organisations WHERE id = $1`, [
      organisationId,
    ]);
    return rows.length > 0;
  }

  /** Serialises invitations per organisation (the cap check). */
  async lockOrganisation(tx: EntityManager, organisationId: string): Promise<void> {
    await tx.query(`SELECT id FROM organisations WHERE id = $1 FOR UPDATE`, [organisationId]);
  }

  /** The organisation's cap: its own policy row, else its kind's; null = no cap. */
  async capFor(
    organisationId: string,
    tx?: EntityManager,
  ): Promise<{ maxUsers: number; source: string } | null> {
    const rows = await this.em(tx).query<{ max_users: number; source: string }[]>(
      `SELECT c.max_users, c.source FROM named_user_caps c, organisations o
        WHERE o.id = $1 AND (c.organisation_id = o.id OR c.organisation_kind = o.kind)
        ORDER BY (c.organisation_id IS NOT NULL) DESC LIMIT 1`,
      [organisationId],
    );
    const row = rows[0];
    return row ? { maxUsers: row.max_users, source: row.source } : null;
  }

  async countNamedUsers(organisationId: string, tx?: EntityManager): Promise<number> {
    const [row] = await this.em(tx).query<{ count: number }[]>(
      `SELECT count(*)::int AS count FROM named_users WHERE organisation_id = $1 AND status <> 'REMOVED'`,
      [organisationId],
    );
    return row?.count ?? 0;
  }

  async usernameTaken(username: string, tx?: EntityManager): Promise<boolean> {
    const rows = await this.em(tx).query<unknown[]>(
      `SELECT 1 FROM named_users WHERE lower(username) = lower($1) AND status <> 'REMOVED'`,
      [username],
    );
    return rows.length > 0;
  }

  async insertUser(
    tx: EntityManager,
    u: {
      id: string;
      organisationId: string;
      idpUserId: string;
      username: string;
      email: string | null;
      roles: readonly string[];
      invitedAt: Date;
      invitedBy: string;
    },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO named_users (id, organisation_id, idp_user_id, username, email, roles, status, invited_at,
                                invited_by, changed_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'ACTIVE', $7, $8, $7)`,
      [u.id, u.organisationId, u.idpUserId, u.username, u.email, u.roles, u.invitedAt, u.invitedBy],
    );
  }

  async listUsers(organisationId: string, tx?: EntityManager): Promise<NamedUserRow[]> {
    return this.em(tx).query<NamedUserRow[]>(
      `SELECT * FROM named_users WHERE organisation_id = $1 ORDER BY status = 'REMOVED', username`,
      [organisationId],
    );
  }

  async user(
    tx: EntityManager,
    organisationId: string,
    userId: string,
    lock = false,
  ): Promise<NamedUserRow | null> {
    const rows = await tx.query<NamedUserRow[]>(
      `SELECT * FROM named_users WHERE organisation_id = $1 AND id = $2${lock ? ' FOR UPDATE' : ''}`,
      [organisationId, userId],
    );
    return rows[0] ?? null;
  }

  async updateRoles(
    tx: EntityManager,
    organisationId: string,
    userId: string,
    roles: readonly string[],
    at: Date,
  ): Promise<void> {
    await tx.query(
      `UPDATE named_users SET roles = $3, changed_at = $4 WHERE organisation_id = $1 AND id = $2`,
      [organisationId, userId, roles, at],
    );
  }

  /** ACTIVE (clears the suspension), SUSPENDED (from `at`) or REMOVED (at `at`). */
  async setStatus(
    tx: EntityManager,
    organisationId: string,
    userId: string,
    status: NamedUserRow['status'],
    at: Date,
  ): Promise<void> {
    await tx.query(
      `UPDATE named_users
          SET status = $3::varchar, changed_at = $4::timestamptz,
              suspended_at = CASE WHEN $3::varchar = 'SUSPENDED' THEN $4::timestamptz
                                  WHEN $3::varchar = 'ACTIVE' THEN NULL ELSE suspended_at END,
              removed_at = CASE WHEN $3::varchar = 'REMOVED' THEN $4::timestamptz ELSE removed_at END
        WHERE organisation_id = $1 AND id = $2`,
      [organisationId, userId, status, at],
    );
  }

  async accessState(scope: AccessScope, scopeId: string, tx?: EntityManager): Promise<AccessStateRow | null> {
    const rows = await this.em(tx).query<AccessStateRow[]>(
      `SELECT * FROM access_states WHERE scope = $1 AND scope_id = $2${tx ? ' FOR UPDATE' : ''}`,
      [scope, scopeId],
    );
    return rows[0] ?? null;
  }

  async upsertAccessState(
    tx: EntityManager,
    s: AccessStateInput,
    changedBy: string,
  ): Promise<AccessStateRow> {
    const rows = await tx.query<AccessStateRow[]>(
      `INSERT INTO access_states (scope, scope_id, organisation_id, suspended_from, tokens_issued_before,
                                  agreement_ends_at, reason, changed_at, changed_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (scope, scope_id) DO UPDATE SET organisation_id = EXCLUDED.organisation_id,
         suspended_from = EXCLUDED.suspended_from, tokens_issued_before = EXCLUDED.tokens_issued_before,
         agreement_ends_at = EXCLUDED.agreement_ends_at, reason = EXCLUDED.reason,
         changed_at = EXCLUDED.changed_at, changed_by = EXCLUDED.changed_by
       RETURNING *`,
      [
        s.scope,
        s.scopeId,
        s.organisationId,
        s.suspendedFrom,
        s.tokensIssuedBefore,
        s.agreementEndsAt ?? null,
        s.reason,
        s.changedAt,
        changedBy,
      ],
    );
    return rows[0] as AccessStateRow;
  }

  /** Organisations with named users whose review is older than `months` (or who never had one since the first user). */
  async overdueReviewCount(months: number): Promise<number> {
    const [row] = await this.dataSource.query<{ count: number }[]>(
      `SELECT count(*)::int AS count FROM organisations o
        WHERE ${HAS_USERS} AND ${DUE_BASIS} < now() - make_interval(months => $1)`,
      [months],
    );
    return row?.count ?? 0;
  }

  async reviewStatus(
    organisationId: string,
    months: number,
  ): Promise<{ name: string; dueBy: Date | null; overdue: boolean; generatedAt: Date } | null> {
    const [row] = await this.dataSource.query<
      { name: string; due_by: Date | null; overdue: boolean; generated_at: Date }[]
    >(
      `SELECT o.name, ${DUE_BASIS} + make_interval(months => $2) AS due_by,
              COALESCE(${DUE_BASIS} < now() - make_interval(months => $2), false) AND ${HAS_USERS} AS overdue,
              now() AS generated_at
         FROM organisations o WHERE o.id = $1`,
      [organisationId, months],
    );
    return row
      ? { name: row.name, dueBy: row.due_by, overdue: row.overdue, generatedAt: row.generated_at }
      : null;
  }

  async lastReview(organisationId: string): Promise<ReviewRow | null> {
    const [row] = await this.dataSource.query<ReviewRow[]>(
      `SELECT * FROM access_reviews WHERE organisation_id = $1 ORDER BY reviewed_at DESC LIMIT 1`,
      [organisationId],
    );
    return row ?? null;
  }

  async insertReview(
    tx: EntityManager,
    r: {
      id: string;
      organisationId: string;
      reviewedBy: string;
      reviewerOrganisationId: string;
      usersReviewed: number;
      note: string | null;
    },
  ): Promise<ReviewRow> {
    const [row] = await tx.query<ReviewRow[]>(
      `INSERT INTO access_reviews (id, organisation_id, reviewed_at, reviewed_by, reviewer_organisation_id,
                                   users_reviewed, note)
       VALUES ($1, $2, now(), $3, $4, $5, $6) RETURNING *`,
      [r.id, r.organisationId, r.reviewedBy, r.reviewerOrganisationId, r.usersReviewed, r.note],
    );
    return row as ReviewRow;
  }

  /** When the newest login event recorded in the access log happened. */
  async lastLoginEventAt(): Promise<Date | null> {
    const [row] = await this.dataSource.query<{ at: Date | null }[]>(
      `SELECT max(occurred_at) AS at FROM access_log_entries
        WHERE kind = 'AUTHENTICATION' AND action IN ('LOGIN_SUCCEEDED', 'LOGIN_FAILED')`,
    );
    return row?.at ?? null;
  }

  /** The organisation of each named user among the identity provider's user ids. */
  async organisationsOfIdpUsers(idpUserIds: readonly string[]): Promise<Map<string, string>> {
    if (idpUserIds.length === 0) return new Map();
    const rows = await this.dataSource.query<{ idp_user_id: string; organisation_id: string }[]>(
      `SELECT idp_user_id, organisation_id::text FROM named_users WHERE idp_user_id = ANY($1)`,
      [idpUserIds],
    );
    return new Map(rows.map((r) => [r.idp_user_id, r.organisation_id]));
  }

  async recordLogin(idpUserId: string, at: Date): Promise<void> {
    await this.dataSource.query(
      `UPDATE named_users SET last_login_at = greatest(coalesce(last_login_at, $2), $2) WHERE idp_user_id = $1`,
      [idpUserId, at],
    );
  }
}
