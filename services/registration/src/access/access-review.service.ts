import { randomUUID } from 'node:crypto';
import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { metrics, ObservableGauge, ObservableResult } from '@opentelemetry/api';
import { DataSource } from 'typeorm';
import { AccessLogService } from '@divit/access-log';
import { createLogger } from '@divit/observability';
import type { Principal } from '@divit/service-kit';
import { RegistrationConfig } from '../config/registration.config';
import { REGISTRATION_CONFIG } from '../config/registration.tokens';
import { AccessReviewReport, AccessReviewView, RecordReviewDto } from './dto/access.dto';
import { NamedUserRow, NamedUsersService } from './named-users.service';

export const OVERDUE_REVIEWS_METRIC = 'divit_access_reviews_overdue_organisations';

interface ReviewRow {
  id: string;
  organisation_id: string;
  reviewed_at: Date;
  reviewed_by: string;
  users_reviewed: number;
  note: string | null;
}

/**
 * Access reviews (issue 15 item 6, seed 002: issued rights reviewed at least every six months), docs/adr/0030. A
 * review is recorded by the organisation's admin or coordinator (or the platform operator); the report lists the
 * organisation's named users, roles, last login and the last review, and says when the review is overdue: no review
 * within ACCESS_REVIEW_MAX_AGE_MONTHS of now, counted from the last review or, before the first, from the first
 * user's invitation (an organisation without named users has nothing to review). The gauge
 * `divit_access_reviews_overdue_organisations` counts the organisations whose review is overdue.
 */
@Injectable()
export class AccessReviewService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = createLogger('AccessReviews');
  private gauge: ObservableGauge | undefined;
  private readonly observe = (result: ObservableResult) => this.observeOverdue(result);

  constructor(
    private readonly dataSource: DataSource,
    private readonly users: NamedUsersService,
    private readonly accessLog: AccessLogService,
    @Inject(REGISTRATION_CONFIG) private readonly config: RegistrationConfig,
  ) {}

  onModuleInit(): void {
    this.gauge = metrics.getMeter('@divit/registration').createObservableGauge(OVERDUE_REVIEWS_METRIC, {
      description: `Organisations with named users whose access review is older than ${this.config.ACCESS_REVIEW_MAX_AGE_MONTHS} months (or that never had one since their first user)`,
      unit: '{organisation}',
    });
    this.gauge.addCallback(this.observe);
  }

  onModuleDestroy(): void {
    this.gauge?.removeCallback(this.observe);
    this.gauge = undefined;
  }

  private async observeOverdue(result: ObservableResult): Promise<void> {
    try {
      result.observe(await this.overdueCount());
    } catch (error) {
      this.logger.warn('overdue access reviews could not be counted', {
        reason: error instanceof Error ? error.message : String(error),
      });
    }
  }

  /** SQL: the instant from which an organisation's review is due (last review, else first invitation). */
  private static readonly DUE_BASIS = `COALESCE(
      (SELECT max(r.reviewed_at) FROM access_reviews r WHERE r.organisation_id = o.id),
      (SELECT min(u.invited_at) FROM named_users u WHERE u.organisation_id = o.id))`;

  async overdueCount(): Promise<number> {
    const [row] = await this.dataSource.query<{ count: number }[]>(
      `SELECT count(*)::int AS count FROM organisations o
        WHERE EXISTS (SELECT 1 FROM named_users u WHERE u.organisation_id = o.id AND u.status <> 'REMOVED')
          AND ${AccessReviewService.DUE_BASIS} < now() - make_interval(months => $1)`,
      [this.config.ACCESS_REVIEW_MAX_AGE_MONTHS],
    );
    return row?.count ?? 0;
  }

  async record(
    principal: Principal,
    organisationId: string,
    input: RecordReviewDto,
  ): Promise<AccessReviewView> {
    return this.dataSource.transaction(async (tx) => {
      await this.users.assertManages(principal, organisationId, 'write', tx);
      const [counted] = await tx.query<{ count: number }[]>(
        `SELECT count(*)::int AS count FROM named_users WHERE organisation_id = $1 AND status <> 'REMOVED'`,
        [organisationId],
      );
      const count = counted?.count ?? 0;
      const id = randomUUID();
      const [row] = await tx.query<ReviewRow[]>(
        `INSERT INTO access_reviews (id, organisation_id, reviewed_at, reviewed_by, reviewer_organisation_id,
                                     users_reviewed, note)
         VALUES ($1, $2, now(), $3, $4, $5, $6) RETURNING *`,
        [id, organisationId, principal.subject, principal.organisationId, count, input.note ?? null],
      );
      await this.accessLog.record(
        {
          principal,
          action: 'ACCESS_REVIEW_RECORDED',
          resourceType: 'access-review',
          resourceId: id,
          organisationId,
          purpose: 'ACCESS_REVIEW',
        },
        tx,
      );
      return reviewView(row as ReviewRow);
    });
  }

  async report(
    principal: Principal,
    organisationId: string,
    format: 'json' | 'pdf',
  ): Promise<AccessReviewReport> {
    await this.users.assertManages(principal, organisationId, 'read');
    const months = this.config.ACCESS_REVIEW_MAX_AGE_MONTHS;
    const [org] = await this.dataSource.query<
      { name: string; due_by: Date | null; overdue: boolean; generated_at: Date }[]
    >(
      `SELECT o.name, ${AccessReviewService.DUE_BASIS} + make_interval(months => $2) AS due_by,
              COALESCE(${AccessReviewService.DUE_BASIS} < now() - make_interval(months => $2), false)
                AND EXISTS (SELECT 1 FROM named_users u WHERE u.organisation_id = o.id AND u.status <> 'REMOVED')
                AS overdue,
              now() AS generated_at
         FROM organisations o WHERE o.id = $1`,
      [organisationId, months],
    );
    const [last] = await this.dataSource.query<ReviewRow[]>(
      `SELECT * FROM access_reviews WHERE organisation_id = $1 ORDER BY reviewed_at DESC LIMIT 1`,
      [organisationId],
    );
    const users = await this.dataSource.query<NamedUserRow[]>(
      `SELECT * FROM named_users WHERE organisation_id = $1 ORDER BY status = 'REMOVED', username`,
      [organisationId],
    );
    await this.accessLog.record({
      principal,
      action: format === 'pdf' ? 'ACCESS_REVIEW_REPORT_PDF_EXPORTED' : 'ACCESS_REVIEW_REPORT_READ',
      resourceType: 'organisation',
      resourceId: organisationId,
      organisationId,
      purpose: 'ACCESS_REVIEW',
    });
    return {
      organisationId,
      organisationName: org?.name ?? '',
      generatedAt: (org?.generated_at ?? new Date()).toISOString(),
      maxReviewAgeMonths: months,
      lastReview: last ? reviewView(last) : null,
      reviewDueBy: org?.due_by ? org.due_by.toISOString() : null,
      reviewOverdue: org?.overdue ?? false,
      organisationAccess: await this.users.organisationAccess(organisationId),
      users: users.map((u) => ({
        userId: u.id,
        username: u.username,
        roles: u.roles,
        status: u.status,
        invitedAt: u.invited_at.toISOString(),
        lastLoginAt: u.last_login_at ? u.last_login_at.toISOString() : null,
      })),
    };
  }
}

function reviewView(r: ReviewRow): AccessReviewView {
  return {
    reviewId: r.id,
    organisationId: r.organisation_id,
    reviewedAt: r.reviewed_at.toISOString(),
    reviewedBy: r.reviewed_by,
    usersReviewed: r.users_reviewed,
    note: r.note,
  };
}
