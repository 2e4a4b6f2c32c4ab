import { randomUUID } from 'node:crypto';
import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { metrics, ObservableGauge, ObservableResult } from '@opentelemetry/api';
import { AccessLogService } from '@divit/access-log';
import { createLogger } from '@divit/observability';
import type { Principal } from '@divit/service-kit';
import { RegistrationConfig } from '../config/registration.config';
import { REGISTRATION_CONFIG } from '../config/registration.tokens';
import { AccessReviewReport, AccessReviewView, RecordReviewDto } from './dto/access.dto';
import { NamedUsersService } from './named-users.service';
import { AccessRepository, ReviewRow } from './access.repository';

export const OVERDUE_REVIEWS_METRIC = 'divit_access_reviews_overdue_organisations';

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
    private readonly repo: AccessRepository,
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

  overdueCount(): Promise<number> {
    return this.repo.overdueReviewCount(this.config.ACCESS_REVIEW_MAX_AGE_MONTHS);
  }

  async record(
    principal: Principal,
    organisationId: string,
    input: RecordReviewDto,
  ): Promise<AccessReviewView> {
    return this.users.transaction(async (tx) => {
      await this.users.assertManages(principal, organisationId, 'write', tx);
      const count = await this.repo.countNamedUsers(organisationId, tx);
      const id = randomUUID();
      const row = await this.repo.insertReview(tx, {
        id,
        organisationId,
        reviewedBy: principal.subject,
        reviewerOrganisationId: principal.organisationId,
        usersReviewed: count,
        note: input.note ?? null,
      });
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
      return reviewView(row);
    });
  }

  async report(
    principal: Principal,
    organisationId: string,
    format: 'json' | 'pdf',
  ): Promise<AccessReviewReport> {
    await this.users.assertManages(principal, organisationId, 'read');
    const months = this.config.ACCESS_REVIEW_MAX_AGE_MONTHS;
    const org = await this.repo.reviewStatus(organisationId, months);
    const last = await this.repo.lastReview(organisationId);
    const users = await this.repo.listUsers(organisationId);
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
      generatedAt: (org?.generatedAt ?? new Date()).toISOString(),
      maxReviewAgeMonths: months,
      lastReview: last ? reviewView(last) : null,
      reviewDueBy: org?.dueBy ? org.dueBy.toISOString() : null,
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
