import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { readSubjectAccessCategories, SubjectAccessCategory, SubjectAccessQuery } from '@divit/service-kit';

/** The registration's allocations here (for co-residents and usage). */
const ALLOCATIONS = `SELECT allocation_id FROM allocations WHERE registration_id = $1`;

/**
 * Never selected: `bsn_hashes.hash` and `sharing_sessions.pending_hash` (the keyed BSN hash values). Only whether
 * one is stored, its key id and dates are reported. The plain BSN is stored nowhere.
 */
const QUERIES: SubjectAccessQuery[] = [
  {
    category: 'bsn-hash',
    description:
      "Whether a keyed hash of the home seeker's BSN is stored (to match the person at allocation): the key id and dates only; the hash value and the BSN are never shown, and the BSN itself is never stored.",
    sql: `SELECT registration_id AS "registrationId", true AS "hashStored", key_id AS "keyId", consent_id AS "consentId",
                 created_at AS "storedAt", rehashed_at AS "rehashedAt"
            FROM bsn_hashes WHERE registration_id = $1`,
  },
  {
    category: 'validated-identity',
    description: 'The surname and birth date as validated against the BRP through MijnOverheid (no BSN).',
    sql: `SELECT registration_id AS "registrationId", validated_surname_prefix AS "surnamePrefix",
                 validated_surname AS "surname", validated_birth_date::text AS "birthDate"
            FROM bsn_hashes WHERE registration_id = $1`,
  },
  {
    category: 'sharing-sessions',
    description:
      'Each MijnOverheid sharing session for the home seeker or a co-resident: purpose, state, outcome, failure code and times.',
    sql: `SELECT id AS "sessionId", subject_id AS "subjectId", subject_role AS "subjectRole", allocation_id AS "allocationId",
                 purpose, state, sharing_outcome AS "sharingOutcome", failure_code AS "failureCode",
                 created_at AS "createdAt", delivered_at AS "deliveredAt", completed_at AS "completedAt",
                 expires_at AS "expiresAt", (pending_hash IS NOT NULL) AS "hashPending",
                 validated_surname_prefix AS "validatedSurnamePrefix", validated_surname AS "validatedSurname",
                 validated_birth_date::text AS "validatedBirthDate"
            FROM sharing_sessions WHERE registration_id = $1 ORDER BY created_at, id`,
  },
  {
    category: 'identity-check-requests',
    description:
      'Identifying details registration asked to check (kept only until the check ended): name, birth date, gender, address.',
    sql: `SELECT request_id AS "requestId", consent_id AS "consentId", subject_id AS "subjectId", purpose,
                 surname_prefix AS "surnamePrefix", surname, birth_date::text AS "birthDate", gender_marker AS "genderMarker",
                 postcode, house_number AS "houseNumber", house_number_addition AS "houseNumberAddition",
                 received_at AS "receivedAt"
            FROM identity_check_requests WHERE registration_id = $1 ORDER BY received_at`,
  },
  {
    category: 'consents',
    description:
      'The consents identity-validation learned of (purpose and status), which allow a sharing session.',
    sql: `SELECT consent_id AS "consentId", subject_id AS "subjectId", purpose, status, updated_at AS "updatedAt"
            FROM consents WHERE registration_id = $1 ORDER BY updated_at`,
  },
  {
    category: 'allocations',
    description:
      "The registration's allocations identity-validation learned of (to match the hash at allocation).",
    sql: `SELECT allocation_id AS "allocationId", organisation_id AS "organisationId",
                 letting_corporation_id AS "lettingCorporationId", closed, recorded_at AS "recordedAt"
            FROM allocations WHERE registration_id = $1 ORDER BY recorded_at`,
  },
  {
    category: 'co-resident-identities',
    description:
      "Co-residents' stated names and birth dates at an allocation (to check their MijnOverheid identity).",
    sql: `SELECT member_id AS "memberId", allocation_id AS "allocationId", surname_prefix AS "surnamePrefix",
                 surname, birth_date::text AS "birthDate", received_at AS "receivedAt"
            FROM co_resident_identities WHERE allocation_id IN (${ALLOCATIONS}) ORDER BY received_at`,
  },
  {
    category: 'usage-records',
    description:
      'DigiD logins and MijnOverheid sharings counted for billing (no personal data beyond the ids).',
    sql: `SELECT usage_id AS "usageId", session_id AS "sessionId", unit, allocation_id AS "allocationId", purpose,
                 occurred_at AS "occurredAt"
            FROM usage_records
           WHERE session_id IN (SELECT id FROM sharing_sessions WHERE registration_id = $1)
              OR allocation_id IN (${ALLOCATIONS})
           ORDER BY occurred_at`,
  },
];

/** What identity-validation holds about one registration (ADR 0025: the feature's only TypeORM user). */
@Injectable()
export class SubjectAccessRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The registration's organisation as identity-validation knows it (hash, sessions, allocations). */
  async owners(registrationId: string): Promise<string[]> {
    const rows = await this.dataSource.query<{ id: string }[]>(
      `SELECT organisation_id::text AS id FROM bsn_hashes WHERE registration_id = $1
       UNION SELECT organisation_id::text FROM sharing_sessions WHERE registration_id = $1
       UNION SELECT organisation_id::text FROM allocations WHERE registration_id = $1`,
      [registrationId],
    );
    return rows.map((r) => r.id);
  }

  categories(registrationId: string): Promise<SubjectAccessCategory[]> {
    return readSubjectAccessCategories(this.dataSource.manager, registrationId, QUERIES);
  }
}
