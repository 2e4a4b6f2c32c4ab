import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { readSubjectAccessCategories, SubjectAccessCategory, SubjectAccessQuery } from '@divit/service-kit';

const ALLOCATIONS = `SELECT allocation_id FROM allocations WHERE registration_id = $1`;

const QUERIES: SubjectAccessQuery[] = [
  {
    category: 'allocations',
    description:
      "The registration's allocations income-retrieval learned of: dwelling rent, lease start, household size, exemption group, outcome.",
    sql: `SELECT allocation_id AS "allocationId", organisation_id AS "organisationId",
                 letting_corporation_id AS "lettingCorporationId", lease_start_date::text AS "leaseStartDate",
                 monthly_rent_cents AS "monthlyRentCents", exemption_group AS "exemptionGroup",
                 household_size AS "householdSize", recorded_at AS "recordedAt", closed_outcome AS "closedOutcome"
            FROM allocations WHERE registration_id = $1 ORDER BY recorded_at`,
  },
  {
    category: 'member-requests',
    description:
      'Which household members were asked to share their income at an allocation, their status, failure and deadline.',
    sql: `SELECT allocation_id AS "allocationId", member_id AS "memberId", role, status, failure, consent_id AS "consentId",
                 deadline_at AS "deadlineAt", updated_at AS "updatedAt",
                 withdrawn_after_decision_at AS "withdrawnAfterDecisionAt"
            FROM member_requests WHERE allocation_id IN (${ALLOCATIONS}) ORDER BY allocation_id, member_id`,
  },
  {
    category: 'member-signals',
    description:
      'Consents, withdrawals and failures of household members income-retrieval received for the allocation.',
    sql: `SELECT id AS "signalId", allocation_id AS "allocationId", subject_id AS "subjectId", kind, consent_id AS "consentId",
                 failure, occurred_at AS "occurredAt", received_at AS "receivedAt"
            FROM member_signals WHERE registration_id = $1 OR allocation_id IN (${ALLOCATIONS}) ORDER BY received_at, id`,
  },
  {
    category: 'shared-incomes',
    description:
      'Incomes shared through MijnOverheid for the income test (amount, kind, tax year), per member.',
    sql: `SELECT sharing_id AS "sharingId", allocation_id AS "allocationId", subject_id AS "subjectId", consent_id AS "consentId",
                 income_cents AS "incomeCents", income_kind AS "incomeKind", tax_year AS "taxYear",
                 received_at AS "receivedAt", recorded_at AS "recordedAt", used
            FROM shared_incomes WHERE registration_id = $1 OR allocation_id IN (${ALLOCATIONS}) ORDER BY received_at`,
  },
  {
    category: 'income-statements',
    description:
      "The household income statements (digitale inkomensverklaring) kept for the accountant's check, and until when.",
    sql: `SELECT statement_id AS "statementId", allocation_id AS "allocationId", contains_income AS "containsIncome",
                 body, created_at AS "createdAt", retain_until::text AS "retainUntil"
            FROM income_statements WHERE registration_id = $1 OR allocation_id IN (${ALLOCATIONS}) ORDER BY created_at`,
  },
  {
    category: 'decisions',
    description: 'The income test decisions sent to the allocator (conclusions, no incomes).',
    sql: `SELECT allocation_id AS "allocationId", decision_id AS "decisionId", outcome,
                 alternative_route_reason AS "alternativeRouteReason", failed_member_id AS "failedMemberId",
                 passend_category AS "passendCategory", within_passend_limit AS "withinPassendLimit", passend,
                 household_size AS "householdSize", income_year AS "incomeYear", norm_version AS "normVersion",
                 decided_at AS "decidedAt", evidence_reference AS "evidenceReference"
            FROM decisions WHERE allocation_id IN (${ALLOCATIONS}) ORDER BY decided_at`,
  },
  {
    category: 'pension-age-statements',
    description: "The allocation system's statement whether the household has reached pension age.",
    sql: `SELECT allocation_id AS "allocationId", pension_age AS "pensionAge", stated_at AS "statedAt"
            FROM pension_age_statements WHERE allocation_id IN (${ALLOCATIONS})`,
  },
];

/** What income-retrieval holds about one registration (ADR 0025: the feature's only TypeORM user). */
@Injectable()
export class SubjectAccessRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The organisations that may see the registration's allocations: their organisation and letting corporation. */
  async owners(registrationId: string): Promise<string[]> {
    const rows = await this.dataSource.query<{ id: string }[]>(
      `SELECT organisation_id::text AS id FROM allocations WHERE registration_id = $1
       UNION SELECT letting_corporation_id::text FROM allocations WHERE registration_id = $1`,
      [registrationId],
    );
    return rows.map((r) => r.id);
  }

  categories(registrationId: string): Promise<SubjectAccessCategory[]> {
    return readSubjectAccessCategories(this.dataSource.manager, registrationId, QUERIES);
  }
}
