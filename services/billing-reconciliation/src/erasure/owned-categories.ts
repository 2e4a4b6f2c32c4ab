import { eraseAccessLog } from '@divit/access-log';
import { BillingErasureCompletedEvent } from '@divit/contracts';
import { ErasureOwnerDefinition, erasedRows, scopeWhere } from '@divit/service-kit';

/** The consumer group of billing's erasure commands (ErasureModule's own consumer). */
export const ERASURE_GROUP = 'billing-reconciliation-erasure';

/**
 * Billing's data categories for the erasure protocol (ErasureHandler in @divit/service-kit, docs/adr/0019). What
 * billing still needs survives: erased ledger rows are first folded into per-day, per-organisation, per-unit,
 * per-letting-member counts (usage_aggregates), which every reconciliation adds to the remaining rows; closed
 * reconciliation versions of a period whose invoices are erased stay as they were calculated (they hold only
 * organisation ids and counts). Billing's rows hold no registration or person (and invoices no allocation): a
 * command scoped to one of those matches nothing here (scopeWhere: a scope field without a column → false).
 */
export const billingErasure: ErasureOwnerDefinition = {
  owner: 'BILLING_RECONCILIATION',
  acknowledgement: BillingErasureCompletedEvent,
  categories: {
    USAGE_LEDGER: async (tx, scope) => {
      const where = scopeWhere(scope, {
        organisation: 'organisation_id = $?::uuid',
        allocation: 'allocation_id = $?::uuid',
        recordedBefore: 'received_at < $?',
      });
      await tx.query(
        `INSERT INTO usage_aggregates (organisation_id, usage_date, unit, letting_corporation_id, late, usage_count)
         SELECT organisation_id, (occurred_at AT TIME ZONE 'Europe/Amsterdam')::date, unit, letting_corporation_id, late, count(*)
           FROM usage_records WHERE ${where.sql} GROUP BY 1, 2, 3, 4, 5`,
        where.params,
      );
      return {
        usage_records: await erasedRows(
          tx,
          `DELETE FROM usage_records WHERE ${where.sql} RETURNING 1`,
          where.params,
        ),
      };
    },
    INVOICES_AND_REPORTS: async (tx, scope) => {
      const reconciliations = scopeWhere(scope, {
        organisation: 'payer_organisation_id = $?::uuid',
        recordedBefore: 'closed_at < $?',
      });
      const invoices = scopeWhere(scope, {
        organisation: 'payer_organisation_id = $?::uuid',
        recordedBefore: 'imported_at < $?',
      });
      return {
        reconciliations: await erasedRows(
          tx,
          `DELETE FROM reconciliations WHERE ${reconciliations.sql} RETURNING 1`,
          reconciliations.params,
        ),
        // Credits first (they reference the invoice they correct); then invoices no remaining credit refers to.
        credit_invoices: await erasedRows(
          tx,
          `DELETE FROM invoices WHERE credits_invoice_id IS NOT NULL AND ${invoices.sql} RETURNING 1`,
          invoices.params,
        ),
        invoices: await erasedRows(
          tx,
          `DELETE FROM invoices i WHERE ${invoices.sql}
             AND NOT EXISTS (SELECT 1 FROM invoices c WHERE c.credits_invoice_id = i.invoice_id) RETURNING 1`,
          invoices.params,
        ),
      };
    },
    // Through the shared access log's erase_access_log_entries() (libs/access-log, ADR 0020). Billing's entries
    // name no registration, person or allocation: a command scoped by one erases none of them.
    ACCESS_LOGS: async (tx, scope) => ({
      access_log_entries:
        scope.registrationId || scope.subjectId || scope.allocationId
          ? 0
          : await eraseAccessLog(tx, {
              recordedBefore: scope.recordedBefore,
              organisationId: scope.organisationId,
            }),
    }),
  },
};
