import { AccessLogErasureScopeMissing, eraseAccessLog } from '@divit/access-log';
import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ErasureRequested, IncomeErasureCompletedEvent } from '@divit/contracts';
import { PermanentHandlerError } from '@divit/messaging';
import { createLogger } from '@divit/observability';
import { MessagingRuntime } from '@divit/service-kit';
import { affected } from '../households/households.repository';

type Owned = 'UNUSED_INCOME' | 'USED_INCOME' | 'ACCESS_LOGS';
const OWNED: readonly string[] = ['UNUSED_INCOME', 'USED_INCOME', 'ACCESS_LOGS'] satisfies Owned[];

/** A WHERE clause from the command's non-null scope fields, for one table's columns. */
interface Scope {
  sql: string;
  params: unknown[];
}

/**
 * Erasure commands from retention-cleanup addressed to INCOME_RETRIEVAL: UNUSED_INCOME (shared income not
 * used in a completed test), USED_INCOME (income used in a completed test, in shared_incomes and in the
 * statements kept for the accountant), ACCESS_LOGS. Scoped by the non-null fields; acknowledged on
 * divit.income-retrieval.erasures.v1 in the same transaction. Commands for other services are ignored; a
 * category this service does not own is misrouted and dead-lettered.
 */
@Injectable()
export class ErasureService {
  private readonly logger = createLogger('ErasureService');

  constructor(@Inject(MessagingRuntime) private readonly messaging: MessagingRuntime) {}

  async handle(em: EntityManager, c: ErasureRequested): Promise<void> {
    if (c.targetService !== 'INCOME_RETRIEVAL') return;
    if (!OWNED.includes(c.category))
      throw new PermanentHandlerError(
        'ERASURE_CATEGORY_NOT_OWNED',
        `category ${c.category} is not held by income-retrieval (owns ${OWNED.join(', ')})`,
      );
    const category = c.category as Owned;
    let erasedCount: number;
    switch (category) {
      case 'UNUSED_INCOME':
        erasedCount = await this.deleteIncome(em, c, false);
        break;
      case 'USED_INCOME':
        erasedCount = (await this.deleteIncome(em, c, true)) + (await this.eraseStatementIncome(em, c));
        break;
      case 'ACCESS_LOGS':
        erasedCount = await this.deleteAccessLogs(em, c);
        break;
    }
    this.logger.info('erasure done', { erasureId: c.erasureId, category, erasedCount });
    await this.messaging.outbox.add(em, IncomeErasureCompletedEvent, {
      id: c.erasureId,
      key: c.erasureId,
      value: { erasureId: c.erasureId, category: c.category, erasedCount, completedAt: Date.now() },
    });
  }

  private scope(
    c: ErasureRequested,
    cols: Partial<Record<'org' | 'reg' | 'subject' | 'alloc' | 'time', string>>,
  ): Scope {
    const parts: string[] = [];
    const params: unknown[] = [];
    const add = (template: string | undefined, value: unknown) => {
      if (value === null || value === undefined || !template) return;
      params.push(value);
      parts.push(template.replace(/\$\?/g, `$${params.length}`));
    };
    add(cols.org, c.organisationId);
    add(cols.reg, c.registrationId);
    add(cols.subject, c.subjectId);
    add(cols.alloc, c.allocationId);
    add(cols.time, c.recordedBefore === null ? null : new Date(c.recordedBefore));
    return { sql: parts.length ? parts.join(' AND ') : 'true', params };
  }

  private async deleteIncome(em: EntityManager, c: ErasureRequested, used: boolean): Promise<number> {
    const s = this.scope(c, {
      org: `allocation_id IN (SELECT allocation_id FROM allocations WHERE organisation_id = $?)`,
      reg: `registration_id = $?`,
      subject: `subject_id = $?`,
      alloc: `allocation_id = $?`,
      time: `recorded_at < $?`,
    });
    return affected(
      await em.query(
        `DELETE FROM shared_incomes WHERE used = ${used ? 'true' : 'false'} AND ${s.sql}`,
        s.params,
      ),
    );
  }

  /** Keeps the conclusion (outcome, norm version, ids) and removes every income figure from the statement. */
  private async eraseStatementIncome(em: EntityManager, c: ErasureRequested): Promise<number> {
    const s = this.scope(c, {
      org: `organisation_id = $?`,
      reg: `registration_id = $?`,
      subject: `(registration_id = $? OR body->'members' @> jsonb_build_array(jsonb_build_object('memberId', $?::text)))`,
      alloc: `allocation_id = $?`,
      time: `created_at < $?`,
    });
    const result: unknown = await em.query(
      `UPDATE income_statements SET contains_income = false,
         body = (body - 'householdIncomeCents')
           || jsonb_build_object('members', (SELECT coalesce(jsonb_agg(m - 'incomeCents' - 'indexedIncomeCents' - 'incomeKind'), '[]'::jsonb)
                                             FROM jsonb_array_elements(body->'members') m))
           || jsonb_build_object('incomeErasedAt', now(), 'incomeErasedBy', $${s.params.length + 1}::text)
       WHERE contains_income AND ${s.sql}`,
      [...s.params, c.erasureId],
    );
    return affected(result);
  }

  /**
   * Through the shared access log's erasure function. A subject (member or registration id) is the log of the
   * allocations it takes part in, as before the shared library.
   */
  private async deleteAccessLogs(em: EntityManager, c: ErasureRequested): Promise<number> {
    const scope = {
      recordedBefore: c.recordedBefore,
      organisationId: c.organisationId,
      registrationId: c.registrationId,
    };
    try {
      if (!c.subjectId) return await eraseAccessLog(em, { ...scope, allocationId: c.allocationId });
      const rows = await em.query<{ allocation_id: string }[]>(
        `SELECT allocation_id FROM member_requests WHERE member_id = $1
         UNION SELECT allocation_id FROM allocations WHERE registration_id = $1`,
        [c.subjectId],
      );
      let erased = 0;
      for (const { allocation_id } of rows) {
        if (c.allocationId && c.allocationId !== allocation_id) continue;
        erased += await eraseAccessLog(em, { ...scope, allocationId: allocation_id });
      }
      return erased;
    } catch (error) {
      if (error instanceof AccessLogErasureScopeMissing)
        throw new PermanentHandlerError('ERASURE_SCOPE_MISSING', 'ACCESS_LOGS needs a cut-off or a scope');
      throw error;
    }
  }
}
