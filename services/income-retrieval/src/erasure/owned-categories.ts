import { EntityManager } from 'typeorm';
import { ErasureRequested, IncomeErasureCompletedEvent } from '@divit/contracts';
import { ErasureOwnerDefinition, erasedRows, ErasureScope, scopeWhere } from '@divit/service-kit';

/**
 * Income-retrieval's data categories for the erasure protocol (ErasureHandler in @divit/service-kit,
 * docs/adr/0019): UNUSED_INCOME (shared income not used in a completed test), USED_INCOME (income used in a
 * completed test, in shared_incomes and in the statements kept for the accountant), ACCESS_LOGS.
 */
export const incomeRetrievalErasure: ErasureOwnerDefinition = {
  owner: 'INCOME_RETRIEVAL',
  acknowledgement: IncomeErasureCompletedEvent,
  categories: {
    UNUSED_INCOME: async (tx, scope) => ({ shared_incomes: await deleteIncome(tx, scope, false) }),
    USED_INCOME: async (tx, scope, command) => ({
      shared_incomes: await deleteIncome(tx, scope, true),
      income_statements: await eraseStatementIncome(tx, scope, command),
    }),
    ACCESS_LOGS: async (tx, scope) => {
      const where = scopeWhere(scope, {
        organisation: `allocation_id IN (SELECT allocation_id FROM allocations WHERE organisation_id = $?)`,
        registration: `allocation_id IN (SELECT allocation_id FROM allocations WHERE registration_id = $?)`,
        subject: `allocation_id IN (SELECT allocation_id FROM member_requests WHERE member_id = $? UNION SELECT allocation_id FROM allocations WHERE registration_id = $?)`,
        allocation: `allocation_id = $?`,
        recordedBefore: `occurred_at < $?`,
      });
      return {
        access_log: await erasedRows(
          tx,
          `DELETE FROM access_log WHERE ${where.sql} RETURNING 1`,
          where.params,
        ),
      };
    },
  },
};

function deleteIncome(tx: EntityManager, scope: ErasureScope, used: boolean): Promise<number> {
  const where = scopeWhere(scope, {
    organisation: `allocation_id IN (SELECT allocation_id FROM allocations WHERE organisation_id = $?)`,
    registration: `registration_id = $?`,
    subject: `subject_id = $?`,
    allocation: `allocation_id = $?`,
    recordedBefore: `recorded_at < $?`,
  });
  return erasedRows(
    tx,
    `DELETE FROM shared_incomes WHERE used = ${used ? 'true' : 'false'} AND ${where.sql} RETURNING 1`,
    where.params,
  );
}

/** Keeps the conclusion (outcome, norm version, ids) and removes every income figure from the statement. */
function eraseStatementIncome(
  tx: EntityManager,
  scope: ErasureScope,
  command: ErasureRequested,
): Promise<number> {
  const where = scopeWhere(
    scope,
    {
      organisation: `organisation_id = $?`,
      registration: `registration_id = $?`,
      subject: `(registration_id = $? OR body->'members' @> jsonb_build_array(jsonb_build_object('memberId', $?::text)))`,
      allocation: `allocation_id = $?`,
      recordedBefore: `created_at < $?`,
    },
    2,
  );
  return erasedRows(
    tx,
    `UPDATE income_statements SET contains_income = false,
       body = (body - 'householdIncomeCents')
         || jsonb_build_object('members', (SELECT coalesce(jsonb_agg(m - 'incomeCents' - 'indexedIncomeCents' - 'incomeKind'), '[]'::jsonb)
                                           FROM jsonb_array_elements(body->'members') m))
         || jsonb_build_object('incomeErasedAt', now(), 'incomeErasedBy', $1::text)
     WHERE contains_income AND ${where.sql} RETURNING 1`,
    [command.erasureId, ...where.params],
  );
}
