import { eraseAccessLog } from '@divit/access-log';
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
    ACCESS_LOGS: async (tx, scope) => ({ access_log_entries: await eraseAccessLogs(tx, scope) }),
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

/**
 * Through the shared access log's erase_access_log_entries() (libs/access-log, ADR 0020). A subject (member or
 * registration id) is the log of the allocations it takes part in, as before the shared library.
 */
async function eraseAccessLogs(tx: EntityManager, scope: ErasureScope): Promise<number> {
  const common = {
    recordedBefore: scope.recordedBefore,
    organisationId: scope.organisationId,
    registrationId: scope.registrationId,
  };
  if (!scope.subjectId) return eraseAccessLog(tx, { ...common, allocationId: scope.allocationId });
  const rows = await tx.query<{ allocation_id: string }[]>(
    `SELECT allocation_id FROM member_requests WHERE member_id = $1
     UNION SELECT allocation_id FROM allocations WHERE registration_id = $1`,
    [scope.subjectId],
  );
  let erased = 0;
  for (const { allocation_id } of rows) {
    if (scope.allocationId && scope.allocationId !== allocation_id) continue;
    erased += await eraseAccessLog(tx, { ...common, allocationId: allocation_id });
  }
  return erased;
}
