import { AccessLogErasureScopeMissing, eraseAccessLog } from '@divit/access-log';
import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { BillingErasureCompletedEvent, ErasureRequested } from '@divit/contracts';
import { PermanentHandlerError } from '@divit/messaging';
import { MessagingRuntime } from '@divit/service-kit';

const OWNED = ['USAGE_LEDGER', 'INVOICES_AND_REPORTS', 'ACCESS_LOGS'] as const;
type Owned = (typeof OWNED)[number];

/**
 * Erasure commands for billing's own categories, scoped by the non-null fields of the command, acknowledged
 * through the outbox in the same transaction. What billing still needs survives: erased ledger rows are
 * first folded into per-day, per-organisation, per-unit, per-letting-member counts (usage_aggregates), which
 * every reconciliation adds to the remaining rows; closed reconciliation versions of a period whose invoices
 * are erased stay as they were calculated (they hold only organisation ids and counts).
 */
@Injectable()
export class ErasureService {
  constructor(@Inject(MessagingRuntime) private readonly messaging: MessagingRuntime) {}

  async handle(em: EntityManager, command: ErasureRequested): Promise<void> {
    if (command.targetService !== 'BILLING_RECONCILIATION') return;
    if (!(OWNED as readonly string[]).includes(command.category))
      throw new PermanentHandlerError(
        'ERASURE_CATEGORY_NOT_OWNED',
        `billing-reconciliation does not own category ${command.category} (misrouted command)`,
      );
    const erasedCount = await this.erase(em, command.category as Owned, command);
    await this.messaging.outbox.add(em, BillingErasureCompletedEvent, {
      key: command.erasureId,
      value: {
        erasureId: command.erasureId,
        category: command.category,
        erasedCount,
        completedAt: Date.now(),
      },
    });
  }

  private async erase(em: EntityManager, category: Owned, c: ErasureRequested): Promise<number> {
    const before = c.recordedBefore === null ? null : new Date(c.recordedBefore).toISOString();
    switch (category) {
      case 'USAGE_LEDGER': {
        // Usage rows hold no registration or person: a command scoped to one of those matches nothing here.
        if (c.registrationId !== null || c.subjectId !== null) return 0;
        const where = `($1::uuid IS NULL OR organisation_id = $1) AND ($2::uuid IS NULL OR allocation_id = $2)
                       AND ($3::timestamptz IS NULL OR received_at < $3)`;
        const params = [c.organisationId, c.allocationId, before];
        await em.query(
          `INSERT INTO usage_aggregates (organisation_id, usage_date, unit, letting_corporation_id, late, usage_count)
           SELECT organisation_id, (occurred_at AT TIME ZONE 'Europe/Amsterdam')::date, unit, letting_corporation_id, late, count(*)
             FROM usage_records WHERE ${where} GROUP BY 1, 2, 3, 4, 5`,
          params,
        );
        return this.count(em, `DELETE FROM usage_records WHERE ${where} RETURNING 1`, params);
      }
      case 'INVOICES_AND_REPORTS': {
        if (c.registrationId !== null || c.subjectId !== null || c.allocationId !== null) return 0;
        const params = [c.organisationId, before];
        const recons = await this.count(
          em,
          `DELETE FROM reconciliations WHERE ($1::uuid IS NULL OR payer_organisation_id = $1)
             AND ($2::timestamptz IS NULL OR closed_at < $2) RETURNING 1`,
          params,
        );
        // Credits first (they reference the invoice they correct).
        const credits = await this.count(
          em,
          `DELETE FROM invoices WHERE credits_invoice_id IS NOT NULL AND ($1::uuid IS NULL OR payer_organisation_id = $1)
             AND ($2::timestamptz IS NULL OR imported_at < $2) RETURNING 1`,
          params,
        );
        const invoices = await this.count(
          em,
          `DELETE FROM invoices i WHERE ($1::uuid IS NULL OR payer_organisation_id = $1)
             AND ($2::timestamptz IS NULL OR imported_at < $2)
             AND NOT EXISTS (SELECT 1 FROM invoices c WHERE c.credits_invoice_id = i.invoice_id) RETURNING 1`,
          params,
        );
        return recons + credits + invoices;
      }
      case 'ACCESS_LOGS': {
        // Billing's entries name no registration or allocation: a command scoped by one erases none of them.
        if (c.registrationId !== null || c.subjectId !== null || c.allocationId !== null) return 0;
        try {
          return await eraseAccessLog(em, { recordedBefore: before, organisationId: c.organisationId });
        } catch (error) {
          if (error instanceof AccessLogErasureScopeMissing)
            throw new PermanentHandlerError(
              'ERASURE_SCOPE_MISSING',
              'ACCESS_LOGS needs a cut-off or an organisation',
            );
          throw error;
        }
      }
    }
  }

  /** Rows removed by a DELETE … RETURNING 1 (counted in SQL: the driver's raw result differs per statement kind). */
  private async count(em: EntityManager, deleteSql: string, params: unknown[]): Promise<number> {
    const rows = await em.query<{ n: number }[]>(
      `WITH d AS (${deleteSql}) SELECT count(*)::int AS n FROM d`,
      params,
    );
    return Number(rows[0]?.n ?? 0);
  }
}
