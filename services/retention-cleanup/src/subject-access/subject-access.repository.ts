import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { readSubjectAccessCategories, SubjectAccessCategory, SubjectAccessQuery } from '@divit/service-kit';

/** The registration's erasures: scheduled for it or for a person under it (its subject ids). */
const ERASURES = `SELECT erasure_id FROM scheduled_erasures WHERE registration_id = $1 OR subject_id = $1`;
const SUBJECTS = `SELECT $1::uuid UNION SELECT subject_id FROM scheduled_erasures WHERE registration_id = $1 AND subject_id IS NOT NULL`;
const HOLDS = `SELECT id FROM legal_holds WHERE subject_id IN (${SUBJECTS})`;

const QUERIES: SubjectAccessQuery[] = [
  {
    category: 'scheduled-erasures',
    description:
      'Erasures of data about the registration or a person under it: which data category, in which service, why, when due, and their status.',
    sql: `SELECT erasure_id AS "erasureId", category, target_service AS "targetService", reason, trigger,
                 policy_id AS "policyId", subject_id AS "subjectId", allocation_id AS "allocationId",
                 trigger_at AS "triggerAt", due_at AS "dueAt", status, first_sent_at AS "firstSentAt",
                 completed_at AS "completedAt", erased_count AS "erasedCount", created_at AS "createdAt"
            FROM scheduled_erasures WHERE erasure_id IN (${ERASURES}) ORDER BY due_at, erasure_id`,
  },
  {
    category: 'deletion-log',
    description:
      'The proof of each completed erasure (what was erased, where, when, how many rows; no personal data).',
    sql: `SELECT id AS "entryId", erasure_id AS "erasureId", category, target_service AS "targetService", reason,
                 policy_id AS "policyId", subject_pseudonym AS "subjectPseudonym", allocation_id AS "allocationId",
                 requested_at AS "requestedAt", completed_at AS "completedAt", erased_count AS "erasedCount",
                 logged_at AS "loggedAt"
            FROM deletion_log
           WHERE erasure_id IN (${ERASURES}) OR subject_pseudonym IN (${SUBJECTS})
           ORDER BY logged_at, id`,
  },
  {
    category: 'legal-holds',
    description: 'Legal holds that keep data about the registration or a person under it from being erased.',
    sql: `SELECT id AS "holdId", subject_id AS "subjectId", category, reason, owner, expires_at AS "expiresAt",
                 created_at AS "createdAt", lifted_at AS "liftedAt", lift_reason AS "liftReason"
            FROM legal_holds WHERE id IN (${HOLDS}) ORDER BY created_at, id`,
  },
  {
    category: 'legal-hold-history',
    description: 'When each legal hold was placed, extended or lifted, and why.',
    sql: `SELECT hold_id AS "holdId", action, reason, occurred_at AS "occurredAt"
            FROM legal_hold_audit WHERE hold_id IN (${HOLDS}) ORDER BY occurred_at, id`,
  },
];

/** What retention-cleanup holds about one registration (ADR 0025: the feature's only TypeORM user). */
@Injectable()
export class SubjectAccessRepository {
  constructor(private readonly dataSource: DataSource) {}

  async owners(registrationId: string): Promise<string[]> {
    const rows = await this.dataSource.query<{ id: string }[]>(
      `SELECT organisation_id::text AS id FROM scheduled_erasures WHERE registration_id = $1 OR subject_id = $1
       UNION SELECT organisation_id::text FROM legal_holds WHERE subject_id IN (${SUBJECTS})`,
      [registrationId],
    );
    return rows.map((r) => r.id).filter((id) => id !== null);
  }

  categories(registrationId: string): Promise<SubjectAccessCategory[]> {
    return readSubjectAccessCategories(this.dataSource.manager, registrationId, QUERIES);
  }
}
